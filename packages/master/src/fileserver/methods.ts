import { BadMessageError, CodedError } from '@saltmq/common';
import type { Caller, RequestMethod } from '../requests/router.js';
import { FileServer, type FileServerOptions } from '@saltmq/common';

/** The request methods this module serves on the minion router. */
export const FILE_SERVER_METHODS = ['file.stat', 'file.read', 'file.list', 'file.dir_list', 'file.list_envs'] as const;

/** Anything methods can be registered on: a RequestRouter, or a plain table in tests. */
export interface MethodTable {
  register(name: string, method: RequestMethod): unknown;
}

function offsetParam(value: unknown, name: string, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new BadMessageError(`${name} must be a whole number of bytes, 0 or more; got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * Registers the salt:// file server on the router for minion requests:
 * - `file.stat {path, saltenv}` → `{size, mode, hash, hash_type: 'sha256', mtime}`, or null when missing
 * - `file.read {path, saltenv, offset, length}` → `{data: base64, eof}`; length is capped at chunkBytes
 * - `file.list {saltenv, prefix}` / `file.dir_list {saltenv, prefix}` → sorted relative paths
 * - `file.list_envs {}` → the saltenv names
 *
 * No per-caller check happens here, on purpose: the caller is `{kind: 'minion', id}` and only accepted
 * minions reach this router at all (broker/access.ts: a pending key may publish nothing but waits on
 * its key channel, a rejected key cannot connect), and like Salt's file server every accepted minion
 * may read every saltenv. The caller's proved id is logged with each refusal, so path probing shows.
 */
export function registerFileServerMethods(router: MethodTable, options: FileServerOptions): FileServer {
  const server = new FileServer(options);
  const log = options.log;
  const method =
    (name: string, run: (params: Record<string, unknown>) => Promise<unknown>): RequestMethod =>
    async (params: Record<string, unknown>, caller: Caller) => {
      try {
        return await run(params);
      } catch (error) {
        if (error instanceof CodedError) {
          log.warn('file server request refused', { method: name, from: caller.id, code: error.code, reason: error.message });
        }
        throw error;
      }
    };
  router.register('file.stat', method('file.stat', (p) => server.stat(p.path, p.saltenv)));
  router.register(
    'file.read',
    method('file.read', (p) =>
      server.read(p.path, p.saltenv, offsetParam(p.offset, 'offset', 0), offsetParam(p.length, 'length', server.chunkBytes)),
    ),
  );
  router.register('file.list', method('file.list', (p) => server.list(p.saltenv, p.prefix)));
  router.register('file.dir_list', method('file.dir_list', (p) => server.dirList(p.saltenv, p.prefix)));
  router.register('file.list_envs', method('file.list_envs', () => Promise.resolve(server.envs())));
  return server;
}
