/**
 * The master's salt:// request methods over file_roots. The file server itself is common's (saltmq-call
 * --local serves the same tree to itself). Named re-exports only.
 * @module
 */
export { registerFileServerMethods, FILE_SERVER_METHODS } from './methods.js';
export type { MethodTable } from './methods.js';
