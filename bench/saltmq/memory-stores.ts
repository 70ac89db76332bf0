/**
 * In-memory stand-ins for the minion's SeenJids and ReturnOutbox, with the same methods.
 *
 * Why: the real stores fsync every received jid and write every return to its own file before it is
 * sent. A real fleet does that on a thousand disks at once; a thousand simulated minions on one
 * process and one disk would measure this machine's fsync queue, not the protocol. The master's own
 * durability (job cache, journal, key store) is untouched: it runs as in production.
 *
 * They also count what a counter outside the minion cannot see: a job delivered twice to the same
 * minion (the second copy is refused as a replay by the real job guard, so no return shows it).
 */
import type { ReturnMessage } from '@saltmq/common';

type Ret = Extract<ReturnMessage, { kind: 'ret' }>;

/** Deliveries per jid across every simulated minion of a worker, and the replays among them. */
export class DeliveryLedger {
  readonly perJid = new Map<string, number>();
  duplicates = 0;
}

export class MemorySeenJids {
  readonly #expiry = new Map<string, number>();

  constructor(readonly ledger: DeliveryLedger) {}

  has(jid: string): boolean {
    const seen = this.#expiry.has(jid);
    // the job guard asks just before it would start a job: a yes means this copy is a redelivery
    if (seen) this.ledger.duplicates++;
    return seen;
  }

  async add(jid: string, expires: number): Promise<void> {
    this.#expiry.set(jid, expires);
    this.ledger.perJid.set(jid, (this.ledger.perJid.get(jid) ?? 0) + 1);
  }

  /** Kept across agent restarts, as the real file survives a minion restart. */
  async close(): Promise<void> {}
}

export class MemoryOutbox {
  readonly #returns = new Map<string, Ret>();

  async put(ret: Ret): Promise<void> {
    this.#returns.set(ret.jid, ret);
  }

  async remove(jid: string): Promise<void> {
    this.#returns.delete(jid);
  }

  async all(): Promise<Ret[]> {
    return [...this.#returns.values()].sort((a, b) => a.jid.localeCompare(b.jid));
  }

  get size(): number {
    return this.#returns.size;
  }
}
