/**
 * One process of bare mqtt.js clients for the baselines: no credentials, no signatures, no stores.
 * A client subscribes to `job/<id>` and echoes what it gets on `ret/<id>`; in onboarding mode it
 * answers the relay's accept with a start message first. Packed many to a process like the fleet.
 */
import { connect, type MqttClient } from 'mqtt';
import { push, serve } from '../lib/ipc.js';

export interface BareConnect {
  ids: string[];
  port: number;
  /** the broker's certificate when it listens behind TLS */
  ca?: string;
  /** false keeps the session (and queued QoS 1 jobs) while the client is away */
  clean: boolean;
  mode: 'echo' | 'onboard' | 'idle';
}

let options: BareConnect | undefined;
const clients = new Map<string, MqttClient>();
const counts = { connected: 0, received: 0, duplicates: 0, fired: 0 };
const seen = new Map<string, Set<string>>();

function onJob(id: string, client: MqttClient, payload: Buffer): void {
  counts.received++;
  const text = payload.toString();
  const mine = seen.get(id) ?? new Set<string>();
  seen.set(id, mine);
  if (mine.has(text)) counts.duplicates++;
  mine.add(text);
  if (options?.mode === 'onboard' && text === '{"k":"accept"}') client.publish(`start/${id}`, '{}', { qos: 1 });
  else client.publish(`ret/${id}`, payload, { qos: 1 });
}

function open(id: string, o: BareConnect): Promise<void> {
  return new Promise((resolve) => {
    const client = connect({
      protocol: o.ca ? 'mqtts' : 'mqtt',
      host: '127.0.0.1',
      port: o.port,
      protocolVersion: 4,
      clientId: id,
      clean: o.clean,
      keepalive: 30,
      reconnectPeriod: 0,
      connectTimeout: 60_000,
      ...(o.ca ? { ca: o.ca, rejectUnauthorized: true, ...({ checkServerIdentity: () => undefined } as object) } : {}),
    });
    clients.set(id, client);
    client.on('message', (_topic, payload) => onJob(id, client, payload));
    client.once('connect', (connack) => {
      counts.connected++;
      // a kept session already holds the subscription, and its queued jobs arrive right after CONNACK
      const subscribed = connack.sessionPresent ? Promise.resolve() : client.subscribeAsync(`job/${id}`, { qos: 1 }).then(() => undefined);
      void subscribed.then(() => {
        if (o.mode === 'onboard') client.publish(`hello/${id}`, '{}', { qos: 1 });
        resolve();
      });
    });
    client.once('error', () => resolve());
    client.once('close', () => resolve());
  });
}

setInterval(() => push('progress', { ...counts }), 250);

serve({
  async connect(args: BareConnect) {
    options = args;
    await Promise.all(args.ids.map((id) => open(id, args)));
    return counts.connected;
  },
  async reconnect() {
    if (!options) throw new Error('connect first');
    const o = options;
    await Promise.all([...clients.keys()].map((id) => open(id, o)));
    return counts.connected;
  },
  async disconnect() {
    await Promise.all([...clients.values()].map((c) => c.endAsync().catch(() => undefined)));
    counts.connected = 0;
    return true;
  },
  async fireBus(args: { perClient: number; prefix: string }) {
    const list = [...clients.entries()];
    for (let k = 0; k < args.perClient; k++) {
      for (const [id, client] of list) {
        client.publish(`${args.prefix}/${id}`, JSON.stringify({ n: k }), { qos: 1 });
        counts.fired++;
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
    return counts.fired;
  },
  async fireReact(args: { first: number; count: number; rules: number; prefix: string }) {
    const list = [...clients.values()];
    for (let i = 0; i < args.count; i++) {
      const n = args.first + i;
      list[n % list.length]!.publish(`${args.prefix}/${n % args.rules}/${n}`, JSON.stringify({ n }), { qos: 1 });
      counts.fired++;
      if (i % 500 === 499) await new Promise((resolve) => setImmediate(resolve));
    }
    return args.count;
  },
  stats() {
    return { ...counts };
  },
});
