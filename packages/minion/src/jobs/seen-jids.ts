import { open, readFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureDir, writeFileAtomic } from '@saltmq/common';

/**
 * The jids this minion has started, kept until their jobs expire, so a replayed job is refused even
 * after a restart. Appends are fsynced before the job runs; on load the file is compacted.
 */
export class SeenJids {
  readonly #expiry = new Map<string, number>();
  #handle: FileHandle | undefined;

  private constructor(readonly path: string) {}

  static async open(dir: string): Promise<SeenJids> {
    await ensureDir(dir, 0o700);
    const seen = new SeenJids(join(dir, 'jids'));
    const text = await readFile(seen.path, 'utf8').catch(() => '');
    const now = Date.now();
    for (const line of text.split('\n')) {
      const [jid, expires] = line.split(' ');
      if (jid && Number(expires) > now) seen.#expiry.set(jid, Number(expires));
    }
    await writeFileAtomic(seen.path, [...seen.#expiry].map(([jid, exp]) => `${jid} ${exp}\n`).join(''), 0o600);
    seen.#handle = await open(seen.path, 'a', 0o600);
    return seen;
  }

  has(jid: string): boolean {
    return this.#expiry.has(jid);
  }

  /** Records a jid durably; resolves once it is on disk. */
  async add(jid: string, expires: number): Promise<void> {
    this.#expiry.set(jid, expires);
    if (this.#expiry.size > 100_000) this.#prune();
    await this.#handle?.write(`${jid} ${expires}\n`);
    await this.#handle?.datasync();
  }

  #prune(): void {
    const now = Date.now();
    for (const [jid, expires] of this.#expiry) if (expires <= now) this.#expiry.delete(jid);
  }

  async close(): Promise<void> {
    await this.#handle?.close();
    this.#handle = undefined;
  }
}
