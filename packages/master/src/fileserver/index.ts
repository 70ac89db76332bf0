/**
 * The master's salt:// file server over file_roots. Named re-exports only.
 * @module
 */
export { registerFileServerMethods, FILE_SERVER_METHODS } from './methods.js';
export type { MethodTable } from './methods.js';
export { FileServer, DEFAULT_CHUNK_BYTES, MAX_CHUNK_BYTES, chunkBytesFor } from './server.js';
export type { FileStat, FileChunk, FileServerOptions } from './server.js';
export { FileRoots, resolveRequest, WILDCARD_ENV } from './roots.js';
export type { FoundFile } from './roots.js';
export { parseSaltUrl, cleanRelPath, cleanSaltenv, isInside } from './paths.js';
export type { SaltUrl } from './paths.js';
export { FileServerError } from './errors.js';
