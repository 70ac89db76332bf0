import { rm, stat } from 'node:fs/promises';
import { samePublicKey } from '@saltmq/common';
import type { PatternFile } from './auto-sign.js';
import type { KeyStore } from './key-store.js';

/** What the master decided about a minion that presented a key; `event` is the salt/auth payload to fire. */
export interface AuthOutcome {
  verdict: 'accepted' | 'pending' | 'rejected' | 'denied' | 'full';
  reason: string;
  event: { result: boolean; act?: 'accept' | 'pend' | 'reject' | 'denied' | 'full'; id: string; pub: string };
}

export interface KeyGateOptions {
  autoAccept: boolean;
  autosign: PatternFile;
  autoreject: PatternFile;
  maxMinions: number;
  /** whether the id currently holds an accepted connection (for max_minions) */
  isConnected(id: string): boolean;
}

/** Salt's autosign_timeout: a `minions_autosign/<id>` stub is honoured for 120 minutes. */
const AUTOSIGN_STUB_MS = 120 * 60 * 1000;

/**
 * Salt's `_auth` decision order (channel/server.py), on the key files: rejected stays rejected; a
 * different key for an accepted or pending id is denied and filed in minions_denied, leaving the
 * accepted key untouched; autoreject before autosign; a new key is pending unless a rule admits it.
 * Decisions for one id are serialised so two connections cannot race on its files.
 */
export class KeyGate {
  constructor(
    readonly store: KeyStore,
    readonly options: KeyGateOptions,
  ) {}

  decide(id: string, pub: string): Promise<AuthOutcome> {
    return this.store.withLock(id, () => this.#decide(id, pub));
  }

  async #decide(id: string, pub: string): Promise<AuthOutcome> {
    const { store } = this;
    const out = (verdict: AuthOutcome['verdict'], result: boolean, act: AuthOutcome['event']['act'], reason: string): AuthOutcome => ({
      verdict,
      reason,
      event: act === undefined ? { result, id, pub } : { result, act, id, pub },
    });

    const accepted = await store.read('minions', id);
    if (accepted === undefined && this.options.maxMinions > 0) {
      const count = (await store.list()).minions.length;
      if (count >= this.options.maxMinions && !this.options.isConnected(id)) {
        return out('full', false, 'full', `the master holds max_minions (${this.options.maxMinions}) accepted keys`);
      }
    }
    const autoReject = await this.options.autoreject.matches(id);
    const autoSign = this.options.autoAccept || (await this.options.autosign.matches(id)) || (await this.#takeStub(id));

    if (await store.has('minions_rejected', id)) return out('rejected', false, undefined, 'the key of this id is rejected');
    if (accepted !== undefined) {
      if (samePublicKey(accepted, pub)) {
        // a crash between a move's write and its unlink can leave the same key pending too
        const stale = await store.read('minions_pre', id);
        if (stale !== undefined && samePublicKey(stale, pub)) await store.remove('minions_pre', id);
        return out('accepted', true, 'accept', 'the key is accepted');
      }
      await store.write('minions_denied', id, pub);
      return out('denied', false, 'denied', 'another key is already accepted for this id');
    }
    const pending = await store.read('minions_pre', id);
    if (pending === undefined) {
      if (autoReject) {
        await store.write('minions_rejected', id, pub);
        return out('rejected', false, 'reject', 'the id matches autoreject_file');
      }
      if (autoSign) {
        await store.write('minions', id, pub);
        return out('accepted', true, 'accept', 'the key was accepted automatically');
      }
      await store.write('minions_pre', id, pub);
      return out('pending', true, 'pend', 'the key waits for acceptance');
    }
    if (autoReject) {
      await store.move(id, 'minions_pre', 'minions_rejected');
      return out('rejected', false, 'reject', 'the id matches autoreject_file');
    }
    if (!samePublicKey(pending, pub)) {
      await store.write('minions_denied', id, pub);
      return out('denied', false, 'denied', 'another key is already pending for this id');
    }
    if (autoSign) {
      await store.move(id, 'minions_pre', 'minions');
      return out('accepted', true, 'accept', 'the key was accepted automatically');
    }
    return out('pending', true, 'pend', 'the key waits for acceptance');
  }

  async #takeStub(id: string): Promise<boolean> {
    const path = this.store.autosignStub(id);
    try {
      const info = await stat(path);
      await rm(path, { force: true }); // one-shot, as in Salt
      return Date.now() - info.mtimeMs < AUTOSIGN_STUB_MS;
    } catch {
      return false;
    }
  }
}
