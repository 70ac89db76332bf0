/**
 * The minion's salt:// file client. Named re-exports only.
 * @module
 */
export { FileClient, DEFAULT_CHUNK_BYTES, DEFAULT_READ_AHEAD } from './client.js';
export type { FileClientOptions, MasterFileStat } from './client.js';
export { FileClientError } from './errors.js';
export { parseSaltUrl, saltFileRef, isSaltUrl, cachePath } from './paths.js';
export type { SaltFileRef } from './paths.js';
