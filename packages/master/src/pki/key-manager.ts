import { encode, minionTopic, samePublicKey, tags, type KeyNotice, type Logger } from '@saltmq/common';
import type { Bus } from '../bus/bus.js';
import type { EventBus } from '../events/event-bus.js';
import type { Presence } from '../minions/presence.js';
import type { KeyChange, KeyOps } from './key-ops.js';

/**
 * Key changes made while the master runs: after the files change, fire Salt's salt/key event for each
 * key and act on the live connection, so an accepted minion is let in within a second (its pending
 * connection is promoted in place), and a rejected or deleted one is cut off.
 */
export class KeyManager {
  constructor(
    readonly ops: KeyOps,
    readonly presence: Presence,
    readonly bus: Bus,
    readonly events: EventBus,
    readonly log: Logger,
  ) {}

  notify(id: string, notice: KeyNotice): Promise<void> {
    return this.bus.publish(minionTopic(id, 'key'), encode(notice), 1);
  }

  async apply(changes: readonly KeyChange[]): Promise<void> {
    for (const change of changes) {
      await this.events.fire(tags.key, { result: true, act: change.act, id: change.id });
      await this.#affectConnection(change);
    }
  }

  async #affectConnection({ act, id }: KeyChange): Promise<void> {
    // a saltmq-call session proved the key as it was: any change but an accept ends it
    if (act !== 'accept') for (const client of this.presence.calls(id)) client.close();
    const entry = this.presence.entry(id);
    if (!entry) return;
    if (act === 'accept') {
      const accepted = await this.ops.store.read('minions', id);
      if (entry.session.role === 'pending' && accepted !== undefined && entry.session.pub && samePublicKey(accepted, entry.session.pub)) {
        entry.session.role = 'accepted';
        this.log.info('pending minion promoted', { id });
        await this.notify(id, { v: 1, status: 'accepted' });
        return;
      }
      if (entry.session.role === 'accepted') return;
    }
    if (act === 'reject') await this.notify(id, { v: 1, status: 'rejected', reason: 'the key was rejected on the master' }).catch(() => undefined);
    // a key that changed under a live connection: make the minion prove itself again
    entry.client.close();
  }
}
