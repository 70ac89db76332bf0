import { lstat, mkdir, readFile, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { messageOf, type Logger } from '@saltmq/common';
import { FileClientError } from './errors.js';
import { cachePath, saltFileRef, type SaltFileRef } from './paths.js';
import { localSha256, transferFile } from './transfer.js';

/** Asked per file.read; the master's default cap, so no slice comes back shorter than asked. */
export const DEFAULT_CHUNK_BYTES = 256 * 1024;
/** file.read requests in flight per transfer. */
export const DEFAULT_READ_AHEAD = 4;
/** Salt's get_file tries a bad download three times; so do we, then give up loudly. */
const MAX_ATTEMPTS = 3;

export interface FileClientOptions {
  /** asks the master (the minion session's request) */
  request(method: string, params: Record<string, unknown>): Promise<unknown>;
  /** the minion's cachedir; files land in `<cachedir>/files/<saltenv>/<path>` */
  cachedir: string;
  log: Logger;
  /** @default 262144 (256 KiB) */
  chunkBytes?: number;
  /** @default 4 */
  readAhead?: number;
}

/** What file.stat reports for a file on the master. */
export interface MasterFileStat {
  size: number;
  mode: number;
  hash: string;
  hash_type: 'sha256';
  mtime: number;
}

function parseStat(reply: unknown): MasterFileStat | undefined {
  if (reply === null) return undefined;
  const s = reply as Partial<MasterFileStat> | undefined;
  const ok =
    typeof s?.hash === 'string' && /^[0-9a-f]{64}$/.test(s.hash) && s.hash_type === 'sha256' &&
    Number.isSafeInteger(s.size) && s.size! >= 0 && typeof s.mode === 'number' && typeof s.mtime === 'number';
  if (!ok) throw new FileClientError('the master sent a malformed file.stat reply');
  return s as MasterFileStat;
}

function parseNames(reply: unknown, method: string): string[] {
  if (!Array.isArray(reply) || !reply.every((name) => typeof name === 'string')) {
    throw new FileClientError(`the master sent a malformed ${method} reply`);
  }
  return reply as string[];
}

/**
 * The minion's side of salt://, like Salt's RemoteClient: stat first, skip the transfer when the
 * local copy already has the master's sha256, otherwise fetch in slices and verify before the rename.
 */
export class FileClient {
  readonly cachedir: string;
  readonly #options: FileClientOptions;
  readonly #chunkBytes: number;
  readonly #readAhead: number;

  constructor(options: FileClientOptions) {
    this.#options = options;
    this.cachedir = options.cachedir;
    this.#chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    this.#readAhead = options.readAhead ?? DEFAULT_READ_AHEAD;
    if (!Number.isInteger(this.#chunkBytes) || this.#chunkBytes < 1) throw new RangeError('chunkBytes must be a positive integer');
    if (!Number.isInteger(this.#readAhead) || this.#readAhead < 1) throw new RangeError('readAhead must be a positive integer');
  }

  /** Where cacheFile puts a file (Salt's cp.cache_dest); it does not say whether the file is there. */
  cacheDest(url: string, saltenv = 'base'): string {
    return cachePath(this.cachedir, saltFileRef(url, saltenv)).target;
  }

  /** Caches a file from the master; its local path, or undefined when the master has no such file. */
  async cacheFile(url: string, saltenv = 'base'): Promise<string | undefined> {
    const ref = saltFileRef(url, saltenv);
    const { target } = cachePath(this.cachedir, ref);
    return this.#fetch(ref, target, 0o600, () => this.#prepareCacheDir(target));
  }

  /**
   * Fetches a file to `dest` (a directory, or a path ending in '/', gets the file's own name). The
   * destination's directory must exist; creating it is the caller's choice (cp.get_file's makedirs).
   */
  async getFile(url: string, dest: string, saltenv = 'base'): Promise<string | undefined> {
    const ref = saltFileRef(url, saltenv);
    const isDir = dest.endsWith('/') || (await stat(dest).catch(() => undefined))?.isDirectory() === true;
    const target = isDir ? join(dest, basename(ref.rel)) : dest;
    return this.#fetch(ref, target, 0o666, async () => undefined);
  }

  /** The file's text, through the cache; undefined when the master has no such file. */
  async getFileStr(url: string, saltenv = 'base'): Promise<string | undefined> {
    const path = await this.cacheFile(url, saltenv);
    return path === undefined ? undefined : readFile(path, 'utf8');
  }

  /** Salt's hash_file for salt:// paths: the master's sha256, or undefined when it has no such file. */
  async hashFile(url: string, saltenv = 'base'): Promise<{ hash_type: 'sha256'; hsum: string } | undefined> {
    const remote = await this.statFile(url, saltenv);
    return remote && { hash_type: remote.hash_type, hsum: remote.hash };
  }

  /** The master's file.stat for a salt:// file (size, mode, sha256, mtime), or undefined when missing. */
  async statFile(url: string, saltenv = 'base'): Promise<MasterFileStat | undefined> {
    const ref = saltFileRef(url, saltenv);
    return parseStat(await this.#ask('file.stat', { path: ref.rel, saltenv: ref.saltenv }));
  }

  /** The local cached copy's path, or undefined; never asks the master (Salt's is_cached). */
  async isCached(url: string, saltenv = 'base'): Promise<string | undefined> {
    const { target } = cachePath(this.cachedir, saltFileRef(url.replace(/^(salt:\/\/)?[|/]+/, '$1'), saltenv));
    return (await lstat(target).catch(() => undefined)) ? target : undefined;
  }

  /** Salt's cp.list_master: every file in the saltenv whose path starts with `prefix`, sorted. */
  async listMaster(saltenv = 'base', prefix = ''): Promise<string[]> {
    return parseNames(await this.#ask('file.list', { saltenv, prefix }), 'file.list');
  }

  /** Salt's cp.list_master_dirs: directories in the saltenv, the root as '.'. */
  async listMasterDirs(saltenv = 'base', prefix = ''): Promise<string[]> {
    return parseNames(await this.#ask('file.dir_list', { saltenv, prefix }), 'file.dir_list');
  }

  /** The saltenvs the master serves. */
  async envs(): Promise<string[]> {
    return parseNames(await this.#ask('file.list_envs', {}), 'file.list_envs');
  }

  async #fetch(ref: SaltFileRef, target: string, mode: number, prepare: () => Promise<void>): Promise<string | undefined> {
    const { log } = this.#options;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const remote = parseStat(await this.#ask('file.stat', { path: ref.rel, saltenv: ref.saltenv }));
      if (!remote) return undefined;
      if ((await localSha256(target, remote.size)) === remote.hash) return target;
      await prepare();
      const outcome = await transferFile({
        expected: remote,
        target,
        mode,
        chunkBytes: this.#chunkBytes,
        readAhead: this.#readAhead,
        read: (offset, length) => this.#ask('file.read', { path: ref.rel, saltenv: ref.saltenv, offset, length }),
      }).catch((error: unknown) => {
        if (error instanceof FileClientError) throw error;
        throw new FileClientError(`cannot write ${target}: ${messageOf(error)}`, { cause: error });
      });
      if (outcome === 'done') {
        log.debug('file fetched from the master', { path: ref.rel, saltenv: ref.saltenv, size: remote.size, target });
        return target;
      }
      log.warn('file changed on the master during transfer; fetching again', { path: ref.rel, saltenv: ref.saltenv, attempt });
    }
    throw new FileClientError(`salt://${ref.rel} in saltenv '${ref.saltenv}' kept changing on the master; gave up after ${MAX_ATTEMPTS} transfers`);
  }

  /**
   * Makes `<cachedir>/files/<saltenv>/...` one level at a time (0700, as Salt's umask 077) and refuses a
   * symlink anywhere below the cachedir: one planted in the cache must not carry a write, or even a
   * mkdir, elsewhere. Like Salt, a cached file standing where a directory must be, or a directory where
   * the file must be, is removed.
   */
  async #prepareCacheDir(target: string): Promise<void> {
    let dir = this.cachedir;
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      for (const part of relative(dir, dirname(target)).split(sep)) {
        dir = join(dir, part);
        const info = await lstat(dir).catch(() => undefined);
        if (info?.isSymbolicLink()) throw new FileClientError(`refused to cache through ${dir}: it is a symlink inside the cache`);
        if (info?.isDirectory()) continue;
        if (info) await rm(dir, { force: true });
        await mkdir(dir, { mode: 0o700 });
      }
      if ((await lstat(target).catch(() => undefined))?.isDirectory()) await rm(target, { recursive: true, force: true });
    } catch (error) {
      if (error instanceof FileClientError) throw error;
      throw new FileClientError(`cannot prepare the cache directory ${dir}: ${messageOf(error)}`, { cause: error });
    }
  }

  // The session rejects with a plain Error carrying the master's {code, message}; a job should report
  // it as a coded failure, not as a crash with a stack trace.
  async #ask(method: string, params: Record<string, unknown>): Promise<unknown> {
    try {
      return await this.#options.request(method, params);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const text = code === 'ERR_FILE_SERVER' ? messageOf(error) : `${method} failed: ${messageOf(error)}`;
      throw new FileClientError(text, { cause: error });
    }
  }
}
