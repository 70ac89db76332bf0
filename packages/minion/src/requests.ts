import { randomBytes } from 'node:crypto';
import type { ResponseMessage } from '@saltmq/common';

type Answer = Extract<ResponseMessage, { type: 'response' }>;

/**
 * Requests in flight on one connection to the master. MQTT 3.1.1 has no response topics, so each
 * request carries a correlation id in its payload and the answer names it; each request times out on
 * its own. Shared by the agent's session and saltmq-call's.
 */
export class PendingRequests {
  readonly #waiting = new Map<string, { resolve(value: unknown): void; reject(error: Error): void; timer: NodeJS.Timeout }>();

  /** Sends a request through `send` and waits for its answer; the master's error keeps its code. */
  ask(method: string, params: Record<string, unknown>, timeoutMs: number, send: (message: object) => Promise<void>): Promise<unknown> {
    const rid = randomBytes(9).toString('base64url');
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(rid);
        reject(new Error(`the master did not answer '${method}' within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      this.#waiting.set(rid, { resolve, reject, timer });
      send({ v: 1, rid, method, params }).catch((error: Error) => {
        clearTimeout(timer);
        this.#waiting.delete(rid);
        reject(error);
      });
    });
  }

  /** Settles the request this answer names; an answer nobody waits for is dropped. */
  settle(message: Answer): void {
    const waiter = this.#waiting.get(message.rid);
    if (!waiter) return;
    this.#waiting.delete(message.rid);
    clearTimeout(waiter.timer);
    if (message.ok) waiter.resolve(message.result);
    else waiter.reject(Object.assign(new Error(message.error.message), { code: message.error.code }));
  }

  /** Fails every request still waiting (the connection closed). */
  failAll(error: Error): void {
    for (const [, waiter] of this.#waiting) {
      clearTimeout(waiter.timer);
      waiter.reject(error);
    }
    this.#waiting.clear();
  }
}
