/**
 * The bench's view of the master: an MQTT client with the admin credential, as the saltmq CLIs
 * connect. It publishes jobs through the master's request channel and watches the event bus.
 */
import { randomBytes } from 'node:crypto';
import { connect, type MqttClient } from 'mqtt';
import type { MasterTrust } from './master.js';

export type EventHandler = (topic: string, payload: Buffer) => void;

export class BenchAdmin {
  readonly #waiting = new Map<string, { resolve(v: unknown): void; reject(e: Error): void }>();
  readonly #handlers = new Set<EventHandler>();

  private constructor(
    readonly client: MqttClient,
    readonly clientId: string,
  ) {
    const respTopic = `saltmq/admin/${clientId}/resp`;
    client.on('message', (topic, payload) => {
      if (topic === respTopic) return this.#onResponse(payload);
      for (const handler of this.#handlers) handler(topic, payload);
    });
    client.on('close', () => {
      for (const waiter of this.#waiting.values()) waiter.reject(new Error('the admin connection closed'));
      this.#waiting.clear();
    });
  }

  static async connect(trust: MasterTrust): Promise<BenchAdmin> {
    const clientId = `$admin-bench-${randomBytes(4).toString('hex')}`;
    const client = await new Promise<MqttClient>((resolve, reject) => {
      const c = connect({
        protocol: 'mqtts',
        host: trust.host,
        port: trust.port,
        protocolVersion: 4,
        clientId,
        username: '$admin',
        password: trust.adminToken,
        clean: true,
        reconnectPeriod: 0,
        connectTimeout: 30_000,
        ca: trust.certPem,
        rejectUnauthorized: true,
        ...({ checkServerIdentity: () => undefined } as object),
      });
      c.once('connect', () => resolve(c));
      c.once('error', (error) => (c.end(true), reject(error)));
    });
    await client.subscribeAsync(`saltmq/admin/${clientId}/resp`, { qos: 1 });
    return new BenchAdmin(client, clientId);
  }

  /** Watches bus topics (QoS 0, as the master publishes events). */
  async watch(filters: string[], handler: EventHandler): Promise<() => void> {
    this.#handlers.add(handler);
    await this.client.subscribeAsync(filters, { qos: 0 });
    return () => this.#handlers.delete(handler);
  }

  request<T = unknown>(method: string, params: Record<string, unknown>, timeoutMs = 120_000): Promise<T> {
    const rid = randomBytes(8).toString('hex');
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => (this.#waiting.delete(rid), reject(new Error(`the master did not answer '${method}' within ${timeoutMs / 1000} s`))), timeoutMs);
      this.#waiting.set(rid, {
        resolve: (v) => (clearTimeout(timer), resolve(v as T)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      this.client.publish(`saltmq/admin/${this.clientId}/req`, JSON.stringify({ v: 1, rid, method, params }), { qos: 1 });
    });
  }

  #onResponse(payload: Buffer): void {
    const reply = JSON.parse(payload.toString()) as { rid?: string; ok?: boolean; result?: unknown; error?: { message?: string } };
    const waiter = reply.rid ? this.#waiting.get(reply.rid) : undefined;
    if (!waiter || !reply.rid) return;
    this.#waiting.delete(reply.rid);
    if (reply.ok) waiter.resolve(reply.result);
    else waiter.reject(new Error(reply.error?.message ?? 'request failed'));
  }

  async close(): Promise<void> {
    await this.client.endAsync(true).catch(() => undefined);
  }
}
