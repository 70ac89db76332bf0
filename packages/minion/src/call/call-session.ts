import { randomBytes } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { callClientId, callTopic, CodedError, encode, messageOf, minionTopic, parseResponse, type KeyPairPem, type Logger } from '@saltmq/common';
import type { MinionConfig } from '../config.js';
import { openLink, PinFailed } from '../link.js';
import { cachedPin, probeMaster } from '../master-pin.js';
import { PendingRequests } from '../requests.js';

/** The master holds this minion's key as pending: Salt's salt-call stops with exit 2. */
export class KeyPendingError extends CodedError {
  constructor(readonly id: string) {
    super('ERR_AUTH_PENDING', `the master has not accepted the key of '${id}'`);
  }
}

/**
 * saltmq-call's own connection to the master, made with the minion's key next to the running agent.
 * Its client id is `<id>/call/<session>`, so the broker neither drops the agent's session nor counts
 * this one as the minion's presence; it sends no jobs here. Requests go on the session's own channel,
 * events on the minion's, where the master wraps them with the id this connection proved.
 */
export class CallSession {
  readonly #requests = new PendingRequests();

  private constructor(
    readonly client: MqttClient,
    readonly id: string,
    readonly session: string,
  ) {
    client.on('message', (topic, payload) => {
      if (topic !== callTopic(id, session, 'resp')) return;
      try {
        const message = parseResponse(payload);
        if (message.type === 'response') this.#requests.settle(message);
      } catch {
        // a malformed answer is dropped; its request times out
      }
    });
    client.once('close', () => this.#requests.failAll(new Error('the connection to the master closed')));
  }

  /**
   * Pins the master (the cached key, or first contact as the agent makes it), proves the key and
   * subscribes to the reply channel. A refused subscription means the key is not accepted yet.
   */
  static async open(config: Readonly<MinionConfig>, keys: KeyPairPem, log: Logger): Promise<CallSession> {
    const session = randomBytes(12).toString('base64url');
    const connect = async (forceProbe: boolean) => {
      const pin = (!forceProbe && (await cachedPin(config.pki_dir, config.master_finger))) || (await probeMaster(config.master, config.master_port, config.pki_dir, config.master_finger, log));
      return openLink({ host: config.master, port: config.master_port, id: config.id, clientId: callClientId(config.id, session), keys, pin, keepalive: config.keepalive });
    };
    const client = await connect(false).catch((error: unknown) => {
      if (!(error instanceof PinFailed)) throw error;
      log.warn('the master certificate changed; checking its key again', { reason: error.message });
      return connect(true);
    });
    try {
      await client.subscribeAsync(callTopic(config.id, session, 'resp'), { qos: 1 });
    } catch (error) {
      client.end(true);
      // mqtt.js rejects a refused SUBACK and carries the packet: 0x80 is the broker's refusal
      const granted = (error as { packet?: { granted?: unknown[] } }).packet?.granted;
      if (granted?.[0] === 0x80) throw new KeyPendingError(config.id);
      throw new Error(`the master closed the connection: ${messageOf(error)}`, { cause: error });
    }
    return new CallSession(client, config.id, session);
  }

  request(method: string, params: Record<string, unknown>, timeoutMs = 60_000): Promise<unknown> {
    return this.#requests.ask(method, params, timeoutMs, (message) => this.#publish(callTopic(this.id, this.session, 'req'), message));
  }

  /** Puts an event on the master's bus as the minion; resolves once the broker has it (QoS 1 PUBACK). */
  fireEvent(tag: string, data: unknown): Promise<void> {
    return this.#publish(minionTopic(this.id, 'event'), { v: 1, tag, data: data ?? null });
  }

  async #publish(topic: string, message: object): Promise<void> {
    if (!this.client.connected) throw new Error('not connected to the master');
    await this.client.publishAsync(topic, encode(message), { qos: 1 });
  }

  /** Disconnects cleanly once everything sent has been acknowledged. */
  async close(): Promise<void> {
    await this.client.endAsync();
  }
}
