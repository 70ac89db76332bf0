import { CodedError, FileServer, PillarCompiler, type Json, type Logger } from '@saltmq/common';
import type { MinionConfig } from '../config.js';

export type RequestFn = (method: string, params: Record<string, unknown>) => Promise<unknown>;

const offset = (value: unknown, fallback: number) => (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : fallback);

/**
 * Salt's `file_client: local`: the requests a minion would send its master, answered in-process from
 * the minion's own file_roots and pillar_roots, by the same file server and pillar compiler the master
 * runs (Salt's FSClient wraps the master's fileserver the same way). The file client, the state system
 * and the pillar module above it do not know the difference.
 */
export function localRequests(config: Readonly<MinionConfig>, grains: Record<string, Json>, log: Logger): RequestFn {
  const files = new FileServer({ fileRoots: config.file_roots, log: log.child({ component: 'fileserver' }) });
  const pillar = new PillarCompiler(config.pillar_roots, log.child({ component: 'pillar' }));
  const methods: Record<string, (p: Record<string, unknown>) => Promise<unknown>> = {
    'file.stat': (p) => files.stat(p.path, p.saltenv),
    'file.read': (p) => files.read(p.path, p.saltenv, offset(p.offset, 0), offset(p.length, files.chunkBytes)),
    'file.list': (p) => files.list(p.saltenv, p.prefix),
    'file.dir_list': (p) => files.dirList(p.saltenv, p.prefix),
    'file.list_envs': () => Promise.resolve(files.envs()),
    'pillar.items': async (p) => {
      const saltenv = typeof p.saltenv === 'string' && p.saltenv ? p.saltenv : undefined;
      return (await pillar.compile(config.id, grains, saltenv ? { saltenv } : {})).pillar;
    },
    // masterless: there is no master cache to update
    'grains.update': () => Promise.resolve(true),
  };
  return async (method, params) => {
    const run = methods[method];
    if (!run) throw new CodedError('ERR_NOT_CONNECTED', `'${method}' needs a master, and a masterless call (--local) has none`);
    return run(params);
  };
}
