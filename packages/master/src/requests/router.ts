import { CodedError, encode, messageOf, parseRequest, type Logger } from '@saltmq/common';
import type { Bus } from '../bus/bus.js';

/** Who asked: a minion (its proved id) or an admin client. */
export interface Caller {
  kind: 'minion' | 'admin';
  id: string;
}

export type RequestMethod = (params: Record<string, unknown>, caller: Caller) => Promise<unknown>;

/**
 * Request/response over private channels, with the correlation id in the payload (MQTT 3.1.1 has no
 * response topics). Deny by default: only methods registered for that kind of caller exist — the
 * lesson of Salt's CVE-2020-11651, where unlisted master methods were reachable.
 */
export class RequestRouter {
  readonly #methods = new Map<string, RequestMethod>();

  constructor(
    readonly kind: Caller['kind'],
    readonly bus: Bus,
    readonly replyTopic: (id: string) => string,
    readonly log: Logger,
  ) {}

  register(name: string, method: RequestMethod): this {
    if (this.#methods.has(name)) throw new Error(`request method ${name} is registered twice`);
    this.#methods.set(name, method);
    return this;
  }

  /**
   * Handles one request message from `id`; never throws (a bad request gets an error reply or is
   * dropped). A saltmq-call session has its own reply channel, given as `replyTo`.
   */
  async handle(id: string, payload: Buffer, replyTo = this.replyTopic(id)): Promise<void> {
    let request;
    try {
      request = parseRequest(payload);
    } catch (error) {
      this.log.warn('malformed request dropped', { from: id, kind: this.kind, reason: messageOf(error) });
      return;
    }
    const method = this.#methods.get(request.method);
    let reply;
    if (!method) {
      reply = { v: 1, type: 'response', rid: request.rid, ok: false, error: { code: 'ERR_UNKNOWN_METHOD', message: `unknown method '${request.method}'` } };
    } else {
      try {
        const result = await method(request.params, { kind: this.kind, id });
        reply = { v: 1, type: 'response', rid: request.rid, ok: true, result: result ?? null };
      } catch (error) {
        const wire = error instanceof CodedError ? error.toWire() : { code: 'ERR_INTERNAL', message: messageOf(error) };
        if (!(error instanceof CodedError)) this.log.error('request failed', { method: request.method, from: id, error });
        reply = { v: 1, type: 'response', rid: request.rid, ok: false, error: wire };
      }
    }
    await this.bus.publish(replyTo, encode(reply), 1).catch((error: Error) =>
      this.log.warn('reply not delivered', { to: id, error: error.message }),
    );
  }
}
