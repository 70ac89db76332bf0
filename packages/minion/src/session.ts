import type { MqttClient } from 'mqtt';
import { encode, messageOf, minionTopic, parseKeyNotice, parseResponse, type KeyNotice, type Logger, type ReturnMessage } from '@saltmq/common';
import { PendingRequests } from './requests.js';

/** How a session with the master ended. */
export type SessionEnd = { kind: 'closed'; wasAccepted: boolean } | { kind: 'pending-timeout' } | { kind: 'refused'; notice: KeyNotice };

export interface SessionHandlers {
  onAccepted(session: MasterSession): Promise<void>;
  onJob(payload: Buffer): void;
  onRetAck(jids: string[]): void;
}

/**
 * One live connection to the master: waits for the key verdict, then carries jobs in and returns,
 * events and requests out. Requests carry a correlation id in the payload and time out on their own.
 */
export class MasterSession {
  readonly #requests = new PendingRequests();
  #accepted = false;

  constructor(
    readonly client: MqttClient,
    readonly id: string,
    readonly log: Logger,
  ) {}

  get connected(): boolean {
    return this.client.connected;
  }

  /** Runs until the connection ends; resolves with why. */
  run(handlers: SessionHandlers, pendingTimeoutMs: number): Promise<SessionEnd> {
    const { client, id, log } = this;
    return new Promise<SessionEnd>((resolve) => {
      let pendingTimer: NodeJS.Timeout | undefined;
      const finish = (end: SessionEnd) => {
        clearTimeout(pendingTimer);
        this.#requests.failAll(new Error('the connection to the master closed'));
        client.removeAllListeners('message');
        resolve(end);
      };
      client.on('message', (topic, payload) => {
        if (topic === minionTopic(id, 'job')) return handlers.onJob(payload);
        if (topic === minionTopic(id, 'resp')) return this.#onResponse(payload, handlers);
        if (topic !== minionTopic(id, 'key')) return;
        let notice: KeyNotice;
        try {
          notice = parseKeyNotice(payload);
        } catch (error) {
          return log.warn('malformed key notice ignored', { reason: messageOf(error) });
        }
        if (notice.status === 'pending' && !this.#accepted) {
          log.info('the master has not accepted this key yet; waiting', { id });
          clearTimeout(pendingTimer);
          pendingTimer = setTimeout(() => {
            client.end(true);
            finish({ kind: 'pending-timeout' });
          }, pendingTimeoutMs);
        } else if (notice.status === 'accepted' && !this.#accepted) {
          this.#accepted = true;
          clearTimeout(pendingTimer);
          void client
            .subscribeAsync([minionTopic(id, 'job'), minionTopic(id, 'resp')], { qos: 1 })
            .then(() => handlers.onAccepted(this))
            .catch((error: Error) => {
              log.error('could not start the session', { error: error.message });
              client.end(true);
            });
        } else if (notice.status === 'rejected' || notice.status === 'denied') {
          client.end(true);
          finish({ kind: 'refused', notice });
        }
      });
      client.once('close', () => finish({ kind: 'closed', wasAccepted: this.#accepted }));
      client.subscribeAsync(minionTopic(id, 'key'), { qos: 1 }).catch((error: Error) => {
        log.warn('subscription to the key channel failed', { error: error.message });
        client.end(true);
      });
    });
  }

  #onResponse(payload: Buffer, handlers: SessionHandlers): void {
    let message;
    try {
      message = parseResponse(payload);
    } catch (error) {
      this.log.warn('malformed response ignored', { reason: messageOf(error) });
      return;
    }
    if (message.type === 'ret_ack') return handlers.onRetAck(message.jids);
    this.#requests.settle(message);
  }

  /** Hands a message to the socket (QoS 1); rejects at once when there is no connection. */
  publish(channel: 'ret' | 'event' | 'req', message: object): Promise<void> {
    if (!this.client.connected) return Promise.reject(new Error('not connected to the master'));
    this.client.publish(minionTopic(this.id, channel), encode(message), { qos: 1 });
    return Promise.resolve();
  }

  sendReturn(message: ReturnMessage): Promise<void> {
    return this.publish('ret', message);
  }

  /** Asks the master; the answer comes on the resp channel. */
  request(method: string, params: Record<string, unknown>, timeoutMs = 60_000): Promise<unknown> {
    return this.#requests.ask(method, params, timeoutMs, (message) => this.publish('req', message));
  }
}
