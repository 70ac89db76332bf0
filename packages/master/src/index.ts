/**
 * @saltmq/master: the master process and what its CLIs share.
 * @module
 */
export { startMaster } from './master.js';
export type { RunningMaster } from './master.js';
export { loadMasterConfig, resolveMasterConfig, MASTER_SCHEMA } from './config.js';
export type { MasterConfig, MasterOptions } from './config.js';
