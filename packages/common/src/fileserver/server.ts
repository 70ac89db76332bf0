import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import type { Logger } from '../log.js';
import { HashCache } from './hash-cache.js';
import { FileRoots, type FoundFile } from './roots.js';

/**
 * Bytes per file.read by default. Base64 makes a chunk 4/3 bigger, and the reply must stay well under
 * the broker's max_packet_size (1 MiB by default): 256 KiB becomes about 350 KB on the wire.
 */
export const DEFAULT_CHUNK_BYTES = 256 * 1024;
/** The largest chunk an operator may configure: 512 KiB is about 700 KB as base64, still under 1 MiB. */
export const MAX_CHUNK_BYTES = 512 * 1024;

/**
 * The largest chunk whose file.read reply fits in a packet of `maxPacketSize` bytes (the master's
 * max_packet_size): base64 adds a third, and 1 KiB is left for the JSON envelope.
 */
export function chunkBytesFor(maxPacketSize: number): number {
  return Math.max(1, Math.min(DEFAULT_CHUNK_BYTES, Math.floor(((maxPacketSize - 1024) * 3) / 4)));
}

/** What file.stat answers for a file. */
export interface FileStat {
  size: number;
  /** permission bits only (st_mode & 0o7777) */
  mode: number;
  hash: string;
  hash_type: 'sha256';
  /** seconds since the epoch, as Python's os.path.getmtime */
  mtime: number;
}

/** What file.read answers: one slice of the file, base64 so it survives JSON. */
export interface FileChunk {
  data: string;
  /** true when this slice reaches the end of the file as it was when read */
  eof: boolean;
}

export interface FileServerOptions {
  fileRoots: Readonly<Record<string, readonly string[]>>;
  log: Logger;
  /** Largest slice one file.read returns. @default 262144 (256 KiB) */
  chunkBytes?: number;
}

/**
 * The master's side of salt://: stat (with the sha256 the minion verifies against), ranged reads and
 * listings. Stateless between requests: each read finds and checks the file again, as Salt's
 * serve_file does, so a file that changes or moves mid-transfer is caught by the minion's final hash
 * check, never served from a stale handle.
 */
export class FileServer {
  readonly roots: FileRoots;
  readonly chunkBytes: number;
  readonly #hashes = new HashCache();

  constructor(options: FileServerOptions) {
    const chunk = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    if (!Number.isInteger(chunk) || chunk < 1 || chunk > MAX_CHUNK_BYTES) {
      throw new RangeError(`chunkBytes must be an integer from 1 to ${MAX_CHUNK_BYTES}, got ${chunk}`);
    }
    this.chunkBytes = chunk;
    this.roots = new FileRoots(options.fileRoots, options.log);
  }

  /** Size, mode, mtime and sha256 of a file, or null when no root has it. */
  async stat(path: unknown, saltenv: unknown): Promise<FileStat | null> {
    const found = await this.roots.find(path, saltenv);
    if (!found) return null;
    return this.#withFile(found, async (handle, stats) => ({
      size: stats.size,
      mode: stats.mode & 0o7777,
      hash: await this.#hashes.sha256(handle, stats),
      hash_type: 'sha256' as const,
      mtime: stats.mtimeMs / 1000,
    }));
  }

  /** Reads at most chunkBytes from `offset`: only that range, never the whole file. Null when missing. */
  async read(path: unknown, saltenv: unknown, offset: number, length: number): Promise<FileChunk | null> {
    const found = await this.roots.find(path, saltenv);
    if (!found) return null;
    return this.#withFile(found, async (handle, stats) => {
      const want = Math.max(0, Math.min(length, this.chunkBytes, stats.size - offset));
      const buffer = Buffer.allocUnsafe(want);
      let got = 0;
      while (got < want) {
        const { bytesRead } = await handle.read(buffer, got, want - got, offset + got);
        if (bytesRead === 0) break; // the file shrank since fstat: the minion's hash check will notice
        got += bytesRead;
      }
      return { data: buffer.subarray(0, got).toString('base64'), eof: offset + got >= stats.size };
    });
  }

  list(saltenv: unknown, prefix: unknown): Promise<string[]> {
    return this.roots.list(saltenv, prefix, 'files');
  }

  dirList(saltenv: unknown, prefix: unknown): Promise<string[]> {
    return this.roots.list(saltenv, prefix, 'dirs');
  }

  envs(): string[] {
    return this.roots.envs();
  }

  /**
   * Opens the checked realpath without following a final symlink and makes sure it is still the file
   * that was checked (same device and inode): a swap between the check and the open reads as missing,
   * and the minion simply asks again.
   */
  async #withFile<T>(found: FoundFile, use: (handle: FileHandle, stats: FoundFile['stat']) => Promise<T>): Promise<T | null> {
    let handle: FileHandle;
    try {
      handle = await open(found.real, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch {
      return null;
    }
    try {
      const stats = await handle.stat();
      if (!stats.isFile() || stats.ino !== found.stat.ino || stats.dev !== found.stat.dev) return null;
      return await use(handle, stats);
    } finally {
      await handle.close();
    }
  }
}
