/** @saltmq/minion @module */
export {};
