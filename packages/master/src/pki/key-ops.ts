import { fnmatch, generateKeyPair, normalizePublicPem, pemFingerprint } from '@saltmq/common';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KEY_DIRS, type KeyLists, type KeyStatus, type KeyStore } from './key-store.js';

/** A change made to the keys, so the online master can fire salt/key and tell the minions. */
export interface KeyChange {
  act: 'accept' | 'reject' | 'delete';
  id: string;
}

export type StatusMap<T> = Partial<Record<KeyStatus | 'local', T>>;

/**
 * Salt's wheel.key functions over the key files. salt-key uses them directly when the master is
 * down; the running master wraps them (key-manager.ts) to fire events and act on live sessions.
 */
export class KeyOps {
  constructor(readonly store: KeyStore) {}

  list(status: KeyStatus[] | 'all'): Promise<Partial<KeyLists>> {
    return this.store.list().then((lists) => {
      const wanted = status === 'all' ? KEY_DIRS : status;
      return Object.fromEntries(wanted.map((s) => [s, lists[s]]));
    });
  }

  async listAll(): Promise<StatusMap<readonly string[]>> {
    return { local: ['master.pem', 'master.pub'], ...(await this.store.list()) };
  }

  nameMatch(glob: string, statuses: readonly KeyStatus[] = KEY_DIRS): Promise<Partial<KeyLists>> {
    return this.store.match(glob, statuses);
  }

  /** Accepts exactly the ids given per status (salt-key acts on what it showed the user). */
  async acceptDict(match: Partial<KeyLists>): Promise<{ result: Partial<KeyLists>; changes: KeyChange[] }> {
    const changes: KeyChange[] = [];
    for (const status of ['minions_pre', 'minions_rejected', 'minions_denied'] as const) {
      for (const id of match[status] ?? []) if (await this.store.withLock(id, () => this.store.move(id, status, 'minions'))) changes.push({ act: 'accept', id });
    }
    return { result: changes.length ? { minions: changes.map((c) => c.id) } : {}, changes };
  }

  async accept(glob: string, options: { includeRejected?: boolean; includeDenied?: boolean } = {}) {
    const statuses: KeyStatus[] = ['minions_pre'];
    if (options.includeRejected) statuses.push('minions_rejected');
    if (options.includeDenied) statuses.push('minions_denied');
    return this.acceptDict(await this.store.match(glob, statuses));
  }

  async rejectDict(match: Partial<KeyLists>): Promise<{ result: Partial<KeyLists>; changes: KeyChange[] }> {
    const changes: KeyChange[] = [];
    for (const status of ['minions_pre', 'minions', 'minions_denied'] as const) {
      for (const id of match[status] ?? []) if (await this.store.withLock(id, () => this.store.move(id, status, 'minions_rejected'))) changes.push({ act: 'reject', id });
    }
    return { result: changes.length ? { minions_rejected: changes.map((c) => c.id) } : {}, changes };
  }

  async reject(glob: string, options: { includeAccepted?: boolean; includeDenied?: boolean } = {}) {
    const statuses: KeyStatus[] = ['minions_pre'];
    if (options.includeAccepted) statuses.push('minions');
    if (options.includeDenied) statuses.push('minions_denied');
    return this.rejectDict(await this.store.match(glob, statuses));
  }

  async deleteDict(match: Partial<KeyLists>): Promise<{ result: Partial<KeyLists>; changes: KeyChange[] }> {
    const changes: KeyChange[] = [];
    for (const status of KEY_DIRS) {
      for (const id of match[status] ?? []) if (await this.store.withLock(id, () => this.store.remove(status, id))) changes.push({ act: 'delete', id });
    }
    return { result: {}, changes };
  }

  async delete(glob: string) {
    return this.deleteDict(await this.store.match(glob));
  }

  /** `{status: {id: pem}}` for matching keys, plus the master's own under `local`. */
  async keyStr(glob: string): Promise<StatusMap<Record<string, string>>> {
    return this.#perKey(glob, (pem) => pem);
  }

  async finger(glob: string, hashType = 'sha256'): Promise<StatusMap<Record<string, string>>> {
    return this.#perKey(glob, (pem) => pemFingerprint(pem, hashType));
  }

  async #perKey(glob: string, value: (pem: string) => string): Promise<StatusMap<Record<string, string>>> {
    const out: StatusMap<Record<string, string>> = {};
    const local = await this.#localKeys(glob);
    if (Object.keys(local).length) out.local = Object.fromEntries(Object.entries(local).map(([name, pem]) => [name, value(pem)]));
    const matched = await this.store.match(glob);
    for (const status of KEY_DIRS) {
      const ids = matched[status];
      if (!ids) continue;
      const entries: Record<string, string> = {};
      for (const id of ids) {
        const pem = await this.store.read(status, id);
        if (pem !== undefined) entries[id] = value(pem);
      }
      out[status] = entries;
    }
    return out;
  }

  /** Salt also matches the master's own public key as a local key (the private key is never shown). */
  async #localKeys(glob: string): Promise<Record<string, string>> {
    if (!fnmatch('master.pub', glob) && !fnmatch('master', glob)) return {};
    const pem = await readFile(join(this.store.pkiDir, 'master.pub'), 'utf8').catch(() => undefined);
    return pem === undefined ? {} : { 'master.pub': pem };
  }

  /** Salt's wheel.key.gen_accept: make a pair, file the public key as accepted, hand both back. */
  async genAccept(id: string, keysize = 2048, force = false): Promise<{ pub: string; priv: string } | Record<string, never>> {
    if (!force && (await this.store.has('minions', id))) return {};
    const pair = await generateKeyPair(keysize);
    await this.store.withLock(id, () => this.store.write('minions', id, normalizePublicPem(pair.publicPem)));
    return { pub: pair.publicPem, priv: pair.privatePem };
  }
}
