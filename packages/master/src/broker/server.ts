import { once } from 'node:events';
import { createServer, type Server, type TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { Aedes, type AedesOptions } from 'aedes';
import type { Logger } from '@saltmq/common';
import { PacketGuard, type PacketLimits } from './packet-guard.js';

export interface BrokerServerOptions {
  host: string;
  port: number;
  keyPem: string;
  certPem: string;
  limits: PacketLimits;
  hooks: AedesOptions;
  log: Logger;
}

export interface BrokerServer {
  broker: Aedes;
  server: Server;
  port: number;
  close(): Promise<void>;
}

/**
 * The embedded broker behind TLS: Aedes handles MQTT, the TLS server owns the socket, and every
 * connection passes through the packet guard first. Only this file creates the broker.
 */
export async function startBrokerServer(options: BrokerServerOptions): Promise<BrokerServer> {
  const { log } = options;
  const broker = await Aedes.createBroker({
    ...options.hooks,
    connectTimeout: 10_000,
    heartbeatInterval: 60_000,
    maxClientsIdLength: 300,
  });
  broker.on('clientError', (client, error) => log.debug('client error', { client: client.id, error: error.message }));
  broker.on('connectionError', (_client, error) => log.debug('connection error', { error: error.message }));

  const server = createServer(
    // noDelay: small request/response messages must not wait for Nagle and delayed ACKs (~40 ms each)
    { key: options.keyPem, cert: options.certPem, minVersion: 'TLSv1.2', handshakeTimeout: 10_000, noDelay: true },
    (socket: TLSSocket) => {
      const guarded = new PacketGuard(socket, options.limits, (size, limit) =>
        log.warn('connection cut: packet over the size limit', { address: socket.remoteAddress, size, limit }),
      );
      broker.handle(guarded);
    },
  );
  server.on('tlsClientError', (error) => log.debug('tls handshake failed', { error: error.message }));
  server.listen(options.port, options.host);
  await Promise.race([once(server, 'listening'), once(server, 'error').then(([error]) => Promise.reject(error as Error))]);
  const port = (server.address() as AddressInfo).port;

  return {
    broker,
    server,
    port,
    async close() {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
