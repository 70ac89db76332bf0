/** saltmq's version: test.version returns it and the saltversion grain carries it. */
export const SALTMQ_VERSION = '0.1.0';

/** The version as numbers, like Salt's saltversioninfo grain. */
export const SALTMQ_VERSION_INFO: readonly number[] = SALTMQ_VERSION.split('.').map(Number);
