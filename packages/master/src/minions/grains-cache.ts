import { readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureDir, idProblem, writeFileAtomic, type Json, type Logger } from '@saltmq/common';

/**
 * Salt's minion data cache, grains only: what each minion reported at its last start, kept on disk
 * under cachedir/minions/<id>/grains.json so -G and compound targets work across master restarts and
 * for minions that are offline right now.
 */
export class GrainsCache {
  readonly #grains = new Map<string, Record<string, Json>>();

  constructor(
    readonly dir: string,
    readonly log: Logger,
  ) {}

  async load(): Promise<void> {
    await ensureDir(this.dir, 0o700);
    for (const id of await readdir(this.dir)) {
      if (idProblem(id)) continue;
      try {
        this.#grains.set(id, JSON.parse(await readFile(join(this.dir, id, 'grains.json'), 'utf8')) as Record<string, Json>);
      } catch {
        // a minion that never reported grains, or a damaged file: it is simply not cached
      }
    }
  }

  get(id: string): Record<string, Json> | undefined {
    return this.#grains.get(id);
  }

  async set(id: string, grains: Record<string, Json>): Promise<void> {
    this.#grains.set(id, grains);
    await ensureDir(join(this.dir, id), 0o700);
    // a cache: minions send their grains again at every start, so no fsync is needed
    await writeFileAtomic(join(this.dir, id, 'grains.json'), JSON.stringify(grains), 0o644, { durable: false });
  }

  async forget(id: string): Promise<void> {
    this.#grains.delete(id);
    await rm(join(this.dir, id), { recursive: true, force: true });
  }
}
