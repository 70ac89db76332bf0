/** @saltmq/master @module */
export {};
