import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

/** Bytes per read while hashing: below the smallest transfer chunk, so no read is ever bigger than one. */
const HASH_READ_BYTES = 64 * 1024;
/** Entries kept; the oldest goes first. A hash is 64 bytes of text, so this stays small. */
const MAX_ENTRIES = 4096;

/**
 * sha256 of served files, cached by inode and change stamps, as Salt caches `hash:mtime` per file: a
 * minion that re-checks a 50 MB file it already holds costs the master a stat, not a full read.
 * ctime is part of the stamp because any write moves it, even one that restores mtime.
 */
export class HashCache {
  readonly #entries = new Map<string, { stamp: string; hash: string }>();

  /** Hashes the open file from start to end, reading in small pieces (bounded memory). */
  async sha256(handle: FileHandle, stats: Stats): Promise<string> {
    const key = `${stats.dev}:${stats.ino}`;
    const stamp = `${stats.size}:${stats.mtimeMs}:${stats.ctimeMs}`;
    const cached = this.#entries.get(key);
    if (cached?.stamp === stamp) return cached.hash;
    const hash = createHash('sha256');
    const buffer = Buffer.allocUnsafe(HASH_READ_BYTES);
    for (let position = 0; ; ) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
      position += bytesRead;
    }
    const digest = hash.digest('hex');
    this.#entries.delete(key);
    this.#entries.set(key, { stamp, hash: digest });
    if (this.#entries.size > MAX_ENTRIES) this.#entries.delete(this.#entries.keys().next().value!);
    return digest;
  }
}
