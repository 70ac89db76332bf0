import { readFile, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { assertValidId, ensureDir, fnmatch, syncDir, writeFileAtomic } from '@saltmq/common';

/** Salt's key directories under pki_dir, in the order salt-key prints them. */
export const KEY_DIRS = ['minions', 'minions_denied', 'minions_pre', 'minions_rejected'] as const;
export type KeyStatus = (typeof KEY_DIRS)[number];
export type KeyLists = Record<KeyStatus, readonly string[]>;

/** salt-key's status words, matched by prefix as Salt's `list_status` does. */
export function statusFromWord(word: string): KeyStatus[] | 'all' | undefined {
  const w = word.toLowerCase();
  if (w.startsWith('acc')) return ['minions'];
  if (w.startsWith('pre') || w.startsWith('un')) return ['minions_pre'];
  if (w.startsWith('rej')) return ['minions_rejected'];
  if (w.startsWith('den')) return ['minions_denied'];
  if (w.startsWith('all')) return 'all';
  return undefined;
}

/**
 * The minion keys as Salt keeps them: one PEM file per id in one directory per status. Every change
 * is a temp-file-fsync-rename, and a move writes the new place before it removes the old one, so a
 * crash can leave a key in two places (resolved by the next operation) but never in none.
 */
export class KeyStore {
  readonly #locks = new Map<string, Promise<unknown>>();
  /** A recent listing: every publish resolves its target against the accepted keys. */
  #listing: { at: number; lists: KeyLists } | undefined;

  constructor(
    readonly pkiDir: string,
    /** how long a listing may be reused; changes made through this store invalidate it at once */
    readonly listTtlMs = 1000,
  ) {}

  /**
   * Runs `work` while no other key operation for this id runs: a connection's key decision and an
   * accept or reject (saltmq-key, the reactor) must not interleave, or a key read between a move's
   * write and its unlink is taken for a new one.
   */
  withLock<T>(id: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#locks.get(id) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.catch(() => undefined);
    this.#locks.set(id, settled);
    void settled.then(() => {
      if (this.#locks.get(id) === settled) this.#locks.delete(id);
    });
    return next;
  }

  async init(): Promise<void> {
    await ensureDir(this.pkiDir, 0o700);
    for (const dir of [...KEY_DIRS, 'minions_autosign']) await ensureDir(join(this.pkiDir, dir), 0o700);
  }

  #path(status: KeyStatus, id: string): string {
    assertValidId(id); // ids name files: nothing outside pki_dir can be reached through one
    return join(this.pkiDir, status, id);
  }

  async list(): Promise<KeyLists> {
    const cached = this.#listing;
    // shared, never mutated: #note replaces a list instead of editing it, so no copy per publish
    if (cached && Date.now() - cached.at < this.listTtlMs) return { ...cached.lists };
    const lists = {} as KeyLists;
    for (const status of KEY_DIRS) lists[status] = await this.#names(status);
    this.#listing = { at: Date.now(), lists };
    return { ...lists };
  }

  async #names(status: KeyStatus): Promise<string[]> {
    const entries = await readdir(join(this.pkiDir, status), { withFileTypes: true }).catch(() => []);
    // Salt ignores dotfiles and anything that is not a plain file; temp files start with a dot
    return entries.filter((e) => e.isFile() && !e.name.startsWith('.')).map((e) => e.name).sort();
  }

  async read(status: KeyStatus, id: string): Promise<string | undefined> {
    try {
      return await readFile(this.#path(status, id), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async has(status: KeyStatus, id: string): Promise<boolean> {
    return stat(this.#path(status, id)).then(
      (s) => s.isFile(),
      () => false,
    );
  }

  async write(status: KeyStatus, id: string, pem: string): Promise<void> {
    await writeFileAtomic(this.#path(status, id), pem, 0o644);
    this.#note(status, id, true);
  }

  /** Keeps the cached listing in step with this store's own changes (re-reading the directories on every accept made onboarding slow). */
  #note(status: KeyStatus, id: string, present: boolean): void {
    const lists = this.#listing?.lists;
    const list = lists?.[status];
    if (!lists || !list) return;
    const has = list.includes(id);
    if (present && !has) lists[status] = [...list, id].sort();
    else if (!present && has) lists[status] = list.filter((x) => x !== id);
  }

  async remove(status: KeyStatus, id: string): Promise<boolean> {
    const path = this.#path(status, id);
    const existed = await this.has(status, id);
    await rm(path, { force: true });
    this.#note(status, id, false);
    if (existed) await syncDir(join(this.pkiDir, status));
    return existed;
  }

  /** Moves a key between statuses, replacing what the target held. Returns false when there was nothing to move. */
  async move(id: string, from: KeyStatus, to: KeyStatus): Promise<boolean> {
    const pem = await this.read(from, id);
    if (pem === undefined) return false;
    await this.write(to, id, pem);
    await this.remove(from, id);
    return true;
  }

  /**
   * Salt's `name_match`: the keys in the given statuses whose id matches the glob; a comma in the
   * glob means a list of globs.
   */
  async match(glob: string, statuses: readonly KeyStatus[] = KEY_DIRS): Promise<Partial<KeyLists>> {
    const globs = glob.includes(',') ? glob.split(',').map((g) => g.trim()).filter(Boolean) : [glob];
    const lists = await this.list();
    const found: Partial<KeyLists> = {};
    for (const status of statuses) {
      const ids = lists[status].filter((id) => globs.some((g) => fnmatch(id, g)));
      if (ids.length > 0) found[status] = ids;
    }
    return found;
  }

  /** The marker files of `minions_autosign/`: one-shot permission for an id, as in Salt. */
  autosignStub(id: string): string {
    assertValidId(id);
    return join(this.pkiDir, 'minions_autosign', id);
  }
}
