import { randomBytes } from 'node:crypto';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import { adminTopic, encode, parseResponse } from '@saltmq/common';
import { ADMIN_USERNAME } from '../broker/access.js';
import type { MasterConfig } from '../config.js';
import { readAdminCredentials } from '../pki/master-keys.js';
import { readRuntimeFile } from '../runtime-file.js';

export type MessageHandler = (topic: string, payload: Buffer) => void;

/** A failed request: the master's error code and message. */
export class RemoteError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The CLIs' connection to the running master: an MQTT client over TLS that presents the admin
 * credential (readable only by the master's user) and talks on its own request channel.
 */
export class AdminClient {
  readonly #waiting = new Map<string, { resolve(v: unknown): void; reject(e: Error): void; timer: NodeJS.Timeout }>();
  readonly #handlers = new Set<MessageHandler>();

  private constructor(
    readonly client: MqttClient,
    readonly clientId: string,
  ) {
    client.on('message', (topic, payload) => {
      if (topic === adminTopic(clientId, 'resp')) return this.#onResponse(payload);
      for (const handler of this.#handlers) handler(topic, payload);
    });
    client.on('close', () => {
      for (const [, waiter] of this.#waiting) waiter.reject(new Error('the connection to the master closed'));
      this.#waiting.clear();
    });
  }

  /** Connects to the running master, or resolves undefined when no master is running for this config. */
  static async connect(config: Readonly<MasterConfig>): Promise<AdminClient | undefined> {
    const runtime = await readRuntimeFile(config.cachedir);
    if (!runtime) return undefined;
    const { certPem, adminToken } = await readAdminCredentials(config.pki_dir);
    const host = runtime.interface === '0.0.0.0' || runtime.interface === '::' ? '127.0.0.1' : runtime.interface;
    const clientId = `${ADMIN_USERNAME}-${randomBytes(6).toString('hex')}`;
    const options: IClientOptions = {
      protocol: 'mqtts',
      host,
      port: runtime.port,
      protocolVersion: 4,
      clientId,
      username: ADMIN_USERNAME,
      password: adminToken,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      ca: certPem,
      rejectUnauthorized: true,
      ...({ checkServerIdentity: () => undefined } as object),
    };
    const client = await new Promise<MqttClient>((resolve, reject) => {
      const c = connect(options);
      c.once('connect', () => {
        (c.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
        resolve(c);
      });
      c.once('error', (error) => {
        c.end(true);
        reject(error);
      });
    });
    const admin = new AdminClient(client, clientId);
    await client.subscribeAsync(adminTopic(clientId, 'resp'), { qos: 1 });
    return admin;
  }

  #onResponse(payload: Buffer): void {
    let message;
    try {
      message = parseResponse(payload);
    } catch {
      return;
    }
    if (message.type !== 'response') return;
    const waiter = this.#waiting.get(message.rid);
    if (!waiter) return;
    this.#waiting.delete(message.rid);
    clearTimeout(waiter.timer);
    if (message.ok) waiter.resolve(message.result);
    else waiter.reject(new RemoteError(message.error.code, message.error.message));
  }

  request<T = unknown>(method: string, params: Record<string, unknown> = {}, timeoutMs = 60_000): Promise<T> {
    const rid = randomBytes(9).toString('base64url');
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(rid);
        reject(new Error(`the master did not answer '${method}' within ${Math.round(timeoutMs / 1000)} s`));
      }, timeoutMs);
      this.#waiting.set(rid, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.client.publish(adminTopic(this.clientId, 'req'), encode({ v: 1, rid, method, params }), { qos: 1 });
    });
  }

  /** Receives bus messages matching the filter (after the broker confirmed the subscription). */
  async subscribe(filter: string | string[], handler: MessageHandler): Promise<void> {
    this.#handlers.add(handler);
    await this.client.subscribeAsync(filter, { qos: 0 });
  }

  close(): Promise<void> {
    return this.client.endAsync();
  }
}
