import type { Client } from 'aedes';
import { isCallRole, type Session } from '../broker/access.js';

/**
 * Which minions hold a connection now, and which of those have subscribed to their jobs (ready). A
 * reconnect replaces the old client, so a late disconnect of the old one must not erase the new one.
 * saltmq-call sessions are kept apart: they are not the minion's presence, but a key change must
 * still reach them.
 */
export class Presence {
  readonly #clients = new Map<string, { client: Client; session: Session; ready: boolean }>();
  readonly #calls = new Map<string, Set<Client>>();

  connected(client: Client, session: Session): void {
    if (session.role === 'admin') return;
    if (isCallRole(session.role)) {
      const calls = this.#calls.get(session.id) ?? this.#calls.set(session.id, new Set()).get(session.id)!;
      calls.add(client);
      return;
    }
    this.#clients.set(session.id, { client, session, ready: false });
  }

  disconnected(client: Client, session: Session | undefined): boolean {
    if (!session || session.role === 'admin') return false;
    if (isCallRole(session.role)) {
      const calls = this.#calls.get(session.id);
      if (calls?.delete(client) && calls.size === 0) this.#calls.delete(session.id);
      return false;
    }
    const entry = this.#clients.get(session.id);
    if (entry?.client !== client) return false;
    this.#clients.delete(session.id);
    return true;
  }

  markReady(id: string): void {
    const entry = this.#clients.get(id);
    if (entry) entry.ready = true;
  }

  entry(id: string): { client: Client; session: Session; ready: boolean } | undefined {
    return this.#clients.get(id);
  }

  /** An accepted minion with a live connection. */
  isConnected(id: string): boolean {
    return this.#clients.get(id)?.session.role === 'accepted';
  }

  isReady(id: string): boolean {
    const entry = this.#clients.get(id);
    return entry?.session.role === 'accepted' && entry.ready;
  }

  /** The live saltmq-call connections of an id. */
  calls(id: string): Client[] {
    return [...(this.#calls.get(id) ?? [])];
  }

  connectedIds(): string[] {
    return [...this.#clients.entries()].filter(([, e]) => e.session.role === 'accepted').map(([id]) => id);
  }
}
