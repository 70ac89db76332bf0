/**
 * The master's salt:// file server over file_roots. The server itself lives in common (saltmq-call
 * --local serves the same tree to itself); the request methods are the master's. Named re-exports only.
 * @module
 */
export { registerFileServerMethods, FILE_SERVER_METHODS } from './methods.js';
export type { MethodTable } from './methods.js';
export {
  FileServer,
  FILE_CHUNK_BYTES as DEFAULT_CHUNK_BYTES,
  MAX_FILE_CHUNK_BYTES as MAX_CHUNK_BYTES,
  chunkBytesFor,
  FileRoots,
  resolveRequest,
  WILDCARD_ENV,
  isInsideRoot as isInside,
  FileServerError,
} from '@saltmq/common';
export type { FileStat, FileChunk, FileServerOptions, FoundFile } from '@saltmq/common';
