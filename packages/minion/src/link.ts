import { randomBytes } from 'node:crypto';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import { credentialStatement, signText, type KeyPairPem } from '@saltmq/common';
import type { MasterPin } from './master-pin.js';

/** A refused CONNECT, with MQTT's return code (2 bad id, 3 unavailable, 4 bad credentials, 5 not authorized). */
export class ConnectRefused extends Error {
  constructor(readonly returnCode: number, message: string) {
    super(message);
  }
}

/** A TLS failure that may mean the cached master certificate is stale. */
export class PinFailed extends Error {}

export interface LinkOptions {
  host: string;
  port: number;
  id: string;
  keys: KeyPairPem;
  pin: MasterPin;
  /** seconds between keepalives */
  keepalive: number;
  /** the MQTT client id. @default the minion id (saltmq-call connects as `<id>/call/<session>`) */
  clientId?: string;
}

/**
 * Opens one MQTT connection to the master over TLS, trusting only the pinned certificate, and signs
 * fresh credentials for it. Reconnecting is the agent's job (with backoff and jitter), so mqtt.js's
 * own fixed-period reconnect is off and every attempt gets new credentials.
 */
export function openLink(options: LinkOptions): Promise<MqttClient> {
  const ts = Date.now();
  const nonce = randomBytes(18).toString('base64url');
  const statement = { ts, nonce, master: options.pin.fingerprint, pub: options.keys.publicPem };
  const password = JSON.stringify({ v: 1, ...statement, sig: signText(options.keys.privatePem, credentialStatement(options.id, statement)) });
  const clientOptions: IClientOptions = {
    protocol: 'mqtts',
    host: options.host,
    port: options.port,
    protocolVersion: 4,
    clientId: options.clientId ?? options.id,
    username: options.id,
    password,
    clean: true,
    keepalive: options.keepalive,
    reconnectPeriod: 0,
    connectTimeout: 15_000,
    ca: options.pin.certPem,
    rejectUnauthorized: true,
    // the pin is the certificate itself: the name the master is reached by does not matter
    ...({ checkServerIdentity: () => undefined } as object),
  };
  return new Promise((resolve, reject) => {
    const client = connect(clientOptions);
    const fail = (error: Error & { code?: number | string }) => {
      client.removeListener('connect', ok);
      client.end(true);
      if (typeof error.code === 'number') return reject(new ConnectRefused(error.code, error.message));
      if (/certificate|self.signed|TLS not authorized|unable to verify/i.test(error.message)) return reject(new PinFailed(error.message));
      reject(error);
    };
    const early = () => fail(new Error('the connection closed before it was established'));
    const ok = () => {
      client.removeListener('error', fail);
      client.removeListener('close', early);
      // returns and requests are small: do not let Nagle hold them back
      (client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
      resolve(client);
    };
    client.once('connect', ok);
    client.once('error', fail);
    client.once('close', early);
  });
}
