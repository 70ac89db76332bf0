import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { FileClientError } from './errors.js';

/** One slice as file.read returns it; null when the file is gone. */
export interface WireChunk {
  data: string;
  eof: boolean;
}

/** What the master said about the file before the transfer: the transfer must end at exactly this. */
export interface Expected {
  size: number;
  hash: string;
}

export interface TransferPlan {
  expected: Expected;
  /** the final path; the temp file goes next to it so the rename stays on one filesystem */
  target: string;
  /** permission bits of the new file (the process umask still applies) */
  mode: number;
  chunkBytes: number;
  /** file.read requests kept in flight, so a slow link is not idle between slices */
  readAhead: number;
  /** asks the master for one slice; the reply is checked here, whatever the master sent */
  read(offset: number, length: number): Promise<unknown>;
}

/** 'changed': the bytes did not add up to the stat taken before (the file changed or vanished); ask again. */
export type TransferOutcome = 'done' | 'changed';

function parseChunk(reply: unknown): WireChunk | null {
  if (reply === null) return null;
  const chunk = reply as Partial<WireChunk> | undefined;
  if (typeof chunk?.data !== 'string' || typeof chunk.eof !== 'boolean' || !/^[A-Za-z0-9+/]*={0,2}$/.test(chunk.data)) {
    throw new FileClientError('the master sent a malformed file.read reply');
  }
  return { data: chunk.data, eof: chunk.eof };
}

async function writeAll(handle: FileHandle, bytes: Buffer, position: number): Promise<void> {
  for (let done = 0; done < bytes.length; ) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position + done);
    done += bytesWritten;
  }
}

/**
 * Fetches a file slice by slice into a temp file beside the target, hashing as it writes, so memory
 * stays at a few slices whatever the file size. The result is renamed into place only when the size
 * and sha256 match what file.stat promised: a file edited on the master mid-transfer never lands
 * half old, half new. Temp names are random, so two jobs caching the same file do not collide.
 */
export async function transferFile(plan: TransferPlan): Promise<TransferOutcome> {
  const { expected, target } = plan;
  const temp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.part`);
  const handle = await open(temp, 'wx', plan.mode);
  let closed = false;
  let renamed = false;
  try {
    const hash = createHash('sha256');
    const pending: { length: number; reply: Promise<unknown> }[] = [];
    let chunk = plan.chunkBytes;
    let next = 0;
    let written = 0;
    while (written < expected.size) {
      while (pending.length < plan.readAhead && next < expected.size) {
        const length = Math.min(chunk, expected.size - next);
        const reply = plan.read(next, length);
        reply.catch(() => undefined); // a read abandoned below must not become an unhandled rejection
        pending.push({ length, reply });
        next += length;
      }
      const { length, reply } = pending.shift()!;
      const slice = parseChunk(await reply);
      if (slice === null) return 'changed';
      const bytes = Buffer.from(slice.data, 'base64');
      if (bytes.length > length) throw new FileClientError(`the master sent ${bytes.length} bytes for a ${length}-byte read`);
      if (bytes.length < length && (slice.eof || bytes.length === 0)) return 'changed'; // shrank
      hash.update(bytes);
      await writeAll(handle, bytes, written);
      written += bytes.length;
      if (bytes.length < length) {
        // the master caps slices below what was asked: adopt its size and re-ask from here
        chunk = bytes.length;
        pending.length = 0;
        next = written;
      } else if (slice.eof !== (written === expected.size)) {
        return 'changed'; // ended early, or kept going past the size file.stat gave
      }
    }
    await handle.datasync();
    await handle.close();
    closed = true;
    if (hash.digest('hex') !== expected.hash) return 'changed';
    await rename(temp, target);
    renamed = true;
    return 'done';
  } finally {
    if (!closed) await handle.close().catch(() => undefined);
    if (!renamed) await rm(temp, { force: true });
  }
}

/** sha256 of a local regular file, streamed; undefined when there is none (a symlink does not count). */
export async function localSha256(path: string, sizeHint?: number): Promise<string | undefined> {
  const info = await lstat(path).catch(() => undefined);
  if (!info?.isFile() || (sizeHint !== undefined && info.size !== sizeHint)) return undefined;
  const hash = createHash('sha256');
  for await (const piece of createReadStream(path)) hash.update(piece as Buffer);
  return hash.digest('hex');
}
