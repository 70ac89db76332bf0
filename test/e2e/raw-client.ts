/**
 * Raw MQTT clients for probing the broker the way an attacker or a third-party tool would: mqtt.js
 * with hand-made credentials, outside the minion agent.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import { credentialStatement, generateKeyPair, pemFingerprint, signText, type KeyPairPem } from '@saltmq/common';
import type { MasterHandle } from './harness.js';

export async function masterTrust(master: MasterHandle): Promise<{ cert: string; finger: string; token: string }> {
  const [cert, pub, token] = await Promise.all([
    readFile(join(master.pkiDir, 'master.crt'), 'utf8'),
    readFile(join(master.pkiDir, 'master.pub'), 'utf8'),
    readFile(join(master.pkiDir, 'admin.token'), 'utf8'),
  ]);
  return { cert, finger: pemFingerprint(pub), token: token.trim() };
}

export function minionPassword(id: string, keys: KeyPairPem, finger: string, overrides: Record<string, unknown> = {}): string {
  const statement = { ts: Date.now(), nonce: randomBytes(18).toString('base64url'), master: finger, pub: keys.publicPem, ...overrides } as {
    ts: number;
    nonce: string;
    master: string;
    pub: string;
  };
  return JSON.stringify({ v: 1, ...statement, sig: signText(keys.privatePem, credentialStatement(id, statement)) });
}

export type ConnectOutcome = { client: MqttClient } | { refused: number | string };

/** Connects with exactly these options over TLS (the master's certificate trusted); never retries. */
export function rawConnect(master: MasterHandle, cert: string, options: IClientOptions): Promise<ConnectOutcome> {
  return new Promise((resolve) => {
    const client = connect({
      protocol: 'mqtts',
      host: '127.0.0.1',
      port: master.port,
      ca: cert,
      rejectUnauthorized: true,
      reconnectPeriod: 0,
      connectTimeout: 5000,
      protocolVersion: 4,
      ...({ checkServerIdentity: () => undefined } as object),
      ...options,
    });
    client.once('connect', () => resolve({ client }));
    client.once('error', (error: Error & { code?: number | string }) => {
      client.end(true);
      resolve({ refused: error.code ?? error.message });
    });
    client.once('close', () => resolve({ refused: 'closed' }));
  });
}

export async function rawMinion(master: MasterHandle, id: string, keys?: KeyPairPem): Promise<{ keys: KeyPairPem; outcome: ConnectOutcome }> {
  const trust = await masterTrust(master);
  const pair = keys ?? (await generateKeyPair(2048));
  const outcome = await rawConnect(master, trust.cert, { clientId: id, username: id, password: minionPassword(id, pair, trust.finger) });
  return { keys: pair, outcome };
}

export async function rawAdmin(master: MasterHandle, suffix = randomBytes(4).toString('hex')): Promise<MqttClient> {
  const trust = await masterTrust(master);
  const outcome = await rawConnect(master, trust.cert, { clientId: `$admin-${suffix}`, username: '$admin', password: trust.token });
  if (!('client' in outcome)) throw new Error(`admin connect refused: ${String(outcome.refused)}`);
  return outcome.client;
}

/** Subscribes and reports the granted QoS per filter (128 = refused), read from the SUBACK itself. */
export function grants(client: MqttClient, filters: string[]): Promise<number[]> {
  return new Promise((resolve, reject) => {
    client.subscribe(filters, { qos: 1 }, (error, _subs, packet) => {
      const granted = (packet as { granted?: number[] } | undefined)?.granted;
      if (granted) return resolve(granted.map((g) => (typeof g === 'number' ? g : 128)));
      reject(error ?? new Error('no SUBACK'));
    });
  });
}

/** Publishes and resolves 'closed' when the broker cut the connection for it, 'kept' otherwise. */
export function publishVerdict(client: MqttClient, topic: string, payload: string, options: { retain?: boolean; qos?: 0 | 1 } = {}): Promise<'closed' | 'kept'> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('kept'), 1500);
    client.once('close', () => {
      clearTimeout(timer);
      resolve('closed');
    });
    client.publish(topic, payload, { qos: options.qos ?? 1, retain: options.retain ?? false });
  });
}

/** Sends one admin request on a raw connection and waits for its reply. */
export async function adminRequest(client: MqttClient, method: string, params: Record<string, unknown>): Promise<unknown> {
  const clientId = client.options.clientId!;
  const rid = randomBytes(8).toString('hex');
  const replyTopic = `saltmq/admin/${clientId}/resp`;
  return new Promise((resolve, reject) => {
    const onMessage = (topic: string, payload: Buffer) => {
      if (topic !== replyTopic) return;
      const reply = JSON.parse(payload.toString()) as { rid: string; ok: boolean; result?: unknown; error?: { message: string } };
      if (reply.rid !== rid) return;
      client.removeListener('message', onMessage);
      if (reply.ok) resolve(reply.result);
      else reject(new Error(reply.error?.message));
    };
    client.on('message', onMessage);
    client.publish(`saltmq/admin/${clientId}/req`, JSON.stringify({ v: 1, rid, method, params }), { qos: 1 });
  });
}
