import { open, readFile, readdir, rm, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { ensureDir, syncDir } from '../fs/atomic.js';
import type { Logger } from '../log.js';

/** One stored record: its sequence number, when it was written, and what it holds. */
export interface LogEntry<T> {
  seq: number;
  ts: number;
  data: T;
}

export interface AppendLogOptions {
  /** start a new segment past this size. @default 16 MiB */
  segmentBytes?: number;
  log: Logger;
}

const SEGMENT = /^(\d{16})\.log$/;

/**
 * A durable append-only log: one JSON record a line behind a CRC32, in segment files. Appends are
 * group-committed: everything appended while a write+fsync is in flight goes out in the next one, so
 * a thousand returns arriving together cost one fsync, and each append resolves only once its bytes
 * are on disk. On open, a torn tail (a crash mid-write) is cut off; whole segments older than the
 * retention are dropped by `prune`.
 */
export class AppendLog<T> {
  #handle: FileHandle | undefined;
  #segmentSize = 0;
  #nextSeq = 1;
  #pending: { line: string; resolve: () => void; reject: (error: Error) => void }[] = [];
  #flushing: Promise<void> | undefined;
  #closed = false;
  readonly #segmentBytes: number;

  private constructor(
    readonly dir: string,
    options: AppendLogOptions,
  ) {
    this.#segmentBytes = options.segmentBytes ?? 16 * 1024 * 1024;
  }

  /** Opens the log, calling `onRecord` for every stored record in order (the replay). */
  static async open<T>(dir: string, options: AppendLogOptions, onRecord: (entry: LogEntry<T>) => void): Promise<AppendLog<T>> {
    await ensureDir(dir, 0o700);
    const log = new AppendLog<T>(dir, options);
    const segments = await log.#segments();
    for (const [index, name] of segments.entries()) {
      const last = index === segments.length - 1;
      const seq = await replaySegment<T>(join(dir, name), last, options.log, onRecord);
      if (seq >= log.#nextSeq) log.#nextSeq = seq + 1;
    }
    return log;
  }

  get nextSeq(): number {
    return this.#nextSeq;
  }

  /** Appends a record; the promise resolves with its sequence number once it is durable. */
  append(data: T): { seq: number; durable: Promise<void> } {
    return this.appendJson(JSON.stringify(data));
  }

  /** The same, for a record its caller has already serialised (an event is serialised once). */
  appendJson(json: string): { seq: number; durable: Promise<void> } {
    if (this.#closed) return { seq: 0, durable: Promise.reject(new Error('the log is closed')) };
    const seq = this.#nextSeq++;
    const body = `{"seq":${seq},"ts":${Date.now()},"data":${json}}`;
    const line = `${crc32(body).toString(16).padStart(8, '0')} ${body}\n`;
    const durable = new Promise<void>((resolve, reject) => this.#pending.push({ line, resolve, reject }));
    if (!this.#flushing) this.#flushing = this.#flushLoop();
    return { seq, durable };
  }

  async #flushLoop(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve)); // let a burst gather
    while (this.#pending.length > 0) {
      const batch = this.#pending;
      this.#pending = [];
      try {
        const text = batch.map((p) => p.line).join('');
        const handle = await this.#writable(Buffer.byteLength(text), batch[0]!.line);
        await handle.write(text);
        this.#segmentSize += Buffer.byteLength(text);
        await handle.datasync();
        for (const p of batch) p.resolve();
      } catch (error) {
        for (const p of batch) p.reject(error as Error);
      }
    }
    this.#flushing = undefined;
  }

  async #writable(incoming: number, firstLine: string): Promise<FileHandle> {
    if (this.#handle && this.#segmentSize + incoming <= this.#segmentBytes) return this.#handle;
    if (this.#handle && this.#segmentSize === 0) return this.#handle;
    await this.#handle?.close();
    const firstSeq = Number(/"seq":(\d+)/.exec(firstLine)?.[1] ?? this.#nextSeq);
    const path = join(this.dir, `${String(firstSeq).padStart(16, '0')}.log`);
    this.#handle = await open(path, 'a', 0o600);
    this.#segmentSize = (await this.#handle.stat()).size;
    await syncDir(this.dir);
    return this.#handle;
  }

  async #segments(): Promise<string[]> {
    return (await readdir(this.dir)).filter((name) => SEGMENT.test(name)).sort();
  }

  /**
   * Reads stored records from `fromSeq` on, at most `limit` of them, in order (a consumer that fell
   * behind catches up from disk instead of holding everything in memory).
   */
  async readFrom(fromSeq: number, limit: number): Promise<LogEntry<T>[]> {
    const segments = await this.#segments();
    const out: LogEntry<T>[] = [];
    for (const [index, name] of segments.entries()) {
      const nextStart = segments[index + 1] ? Number(SEGMENT.exec(segments[index + 1]!)![1]) : Number.POSITIVE_INFINITY;
      if (nextStart <= fromSeq) continue; // every record of this segment is older
      const text = await readFile(join(this.dir, name), 'utf8').catch(() => '');
      for (const line of text.split('\n')) {
        const entry = line ? parseLine<T>(line) : undefined;
        if (!entry || entry.seq < fromSeq) continue;
        out.push(entry);
        if (out.length >= limit) return out;
      }
    }
    return out;
  }

  /** Drops whole segments whose newest record is older than the cutoff; the open segment stays. */
  async prune(cutoffMs: number): Promise<number> {
    const segments = await this.#segments();
    let dropped = 0;
    for (const name of segments.slice(0, -1)) {
      const info = await stat(join(this.dir, name));
      if (info.mtimeMs >= cutoffMs) break;
      await rm(join(this.dir, name), { force: true });
      dropped++;
    }
    if (dropped) await syncDir(this.dir);
    return dropped;
  }

  /** Flushes what is pending and closes the file. */
  async close(): Promise<void> {
    this.#closed = true;
    while (this.#flushing) await this.#flushing;
    await this.#handle?.close();
    this.#handle = undefined;
  }
}

async function replaySegment<T>(path: string, last: boolean, log: Logger, onRecord: (entry: LogEntry<T>) => void): Promise<number> {
  const handle = await open(path, 'r+');
  let maxSeq = 0;
  try {
    const text = (await handle.readFile()).toString('utf8');
    let offset = 0;
    while (offset < text.length) {
      const end = text.indexOf('\n', offset);
      const line = end < 0 ? text.slice(offset) : text.slice(offset, end);
      const entry = end < 0 ? undefined : parseLine<T>(line);
      if (!entry) {
        const validBytes = Buffer.byteLength(text.slice(0, offset));
        if (last) {
          log.warn('cutting a torn record off the end of the log', { file: path, at: validBytes });
          await handle.truncate(validBytes);
          await handle.sync();
        } else {
          log.error('skipping a damaged record in the log', { file: path, at: validBytes });
          if (end >= 0) {
            offset = end + 1;
            continue;
          }
        }
        break;
      }
      maxSeq = Math.max(maxSeq, entry.seq);
      onRecord(entry);
      offset = end + 1;
    }
  } finally {
    await handle.close();
  }
  return maxSeq;
}

function parseLine<T>(line: string): LogEntry<T> | undefined {
  const space = line.indexOf(' ');
  if (space !== 8) return undefined;
  const body = line.slice(9);
  if (crc32(body).toString(16).padStart(8, '0') !== line.slice(0, 8)) return undefined;
  try {
    return JSON.parse(body) as LogEntry<T>;
  } catch {
    return undefined;
  }
}
