import { encode, minionTopic } from '@saltmq/common';
import type { Bus } from '../bus/bus.js';

/**
 * Acknowledges stored returns to their minions, gathering the jids stored in one tick into one
 * message per minion: a minion that comes back with a backlog gets a handful of acks, not hundreds.
 */
export class RetAcks {
  readonly #pending = new Map<string, string[]>();
  #scheduled = false;

  constructor(readonly bus: Bus) {}

  ack(id: string, jid: string): void {
    const list = this.#pending.get(id);
    if (list) list.push(jid);
    else this.#pending.set(id, [jid]);
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      const batch = [...this.#pending];
      this.#pending.clear();
      for (const [minion, jids] of batch) {
        void this.bus.publish(minionTopic(minion, 'resp'), encode({ v: 1, type: 'ret_ack', jids }), 1).catch(() => undefined);
      }
    });
  }
}
