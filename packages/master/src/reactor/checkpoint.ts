import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@saltmq/common';

/**
 * The reactor's place in the journal: every event up to `seq` has been fully handled. Written
 * atomically, at most a few times a second; after a crash the reactor resumes after it, and the
 * reactions' own keys keep a replayed event from acting twice.
 */
export class Checkpoint {
  #saved: number;
  #pending: number;
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();

  private constructor(
    readonly path: string,
    seq: number,
  ) {
    this.#saved = seq;
    this.#pending = seq;
  }

  static async open(cachedir: string): Promise<Checkpoint> {
    const path = join(cachedir, 'reactor.checkpoint');
    const text = await readFile(path, 'utf8').catch(() => '0');
    const seq = Number.parseInt(text, 10);
    return new Checkpoint(path, Number.isFinite(seq) && seq > 0 ? seq : 0);
  }

  get seq(): number {
    return this.#pending;
  }

  advance(seq: number): void {
    if (seq <= this.#pending) return;
    this.#pending = seq;
    this.#timer ??= setTimeout(() => void this.flush(), 200);
  }

  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const target = this.#pending;
    this.#writing = this.#writing.then(async () => {
      if (target <= this.#saved) return;
      await writeFileAtomic(this.path, `${target}\n`, 0o600);
      this.#saved = target;
    });
    return this.#writing;
  }
}
