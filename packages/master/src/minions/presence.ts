import type { Client } from 'aedes';
import type { Session } from '../broker/access.js';

/**
 * Which minions hold a connection now, and which of those have subscribed to their jobs (ready). A
 * reconnect replaces the old client, so a late disconnect of the old one must not erase the new one.
 */
export class Presence {
  readonly #clients = new Map<string, { client: Client; session: Session; ready: boolean }>();

  connected(client: Client, session: Session): void {
    if (session.role === 'admin') return;
    this.#clients.set(session.id, { client, session, ready: false });
  }

  disconnected(client: Client, session: Session | undefined): boolean {
    if (!session || session.role === 'admin') return false;
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

  connectedIds(): string[] {
    return [...this.#clients.entries()].filter(([, e]) => e.session.role === 'accepted').map(([id]) => id);
  }
}
