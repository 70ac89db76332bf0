/**
 * The salt:// file server over file_roots: the master serves it to minions, and `saltmq-call --local`
 * serves it to itself (Salt's `file_client: local`). Named re-exports only.
 * @module
 */
export { FileServer, DEFAULT_CHUNK_BYTES, MAX_CHUNK_BYTES, chunkBytesFor } from './server.js';
export type { FileStat, FileChunk, FileServerOptions } from './server.js';
export { FileRoots, resolveRequest, WILDCARD_ENV } from './roots.js';
export type { FoundFile } from './roots.js';
export { isInside } from './paths.js';
export { FileServerError } from './errors.js';
