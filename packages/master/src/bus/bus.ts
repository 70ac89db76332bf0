/**
 * How master logic talks to the message bus. Everything above this interface is broker-agnostic, so
 * the embedded Aedes broker can later be replaced by a shared one (Aedes over Redis, an external
 * cluster with the master as a privileged client) without touching jobs, keys or the reactor.
 */
export type BusHandler = (topic: string, payload: Buffer) => void;

export interface Bus {
  /** Delivers a message on behalf of the master; receivers are still filtered by the access rules. */
  publish(topic: string, payload: Buffer, qos?: 0 | 1): Promise<void>;
  /** An in-process subscription; returns the function that ends it. */
  subscribe(filter: string, handler: BusHandler): Promise<() => Promise<void>>;
}
