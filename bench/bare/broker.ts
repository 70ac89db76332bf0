/**
 * The baseline broker: a bare Aedes (default in-memory persistence, no hooks) behind a plain
 * `net` server or, for TLS's share, a plain `tls` server. No auth, no signing, no journal, no cache.
 * Where saltmq's master does work inside the broker's process (the reactor, onboarding's accept and
 * jobs), a relay does the same message moves here with nothing in between.
 */
import { createServer as createNetServer, type AddressInfo, type Server } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { once } from 'node:events';
import { Aedes, type AedesPublishPacket } from 'aedes';
import { serve } from '../lib/ipc.js';

let broker: Aedes | undefined;
let server: Server | undefined;

// Publishing from inside a delivery, or releasing the delivery slot synchronously, recurses through
// mqemitter's queue (a burst overflows the stack): relayed messages are published on the next turn
// and slots released on the next tick.
const outbox: { topic: string; payload: Buffer | string; qos: 0 | 1 }[] = [];

function flush(): void {
  for (const m of outbox.splice(0)) broker!.publish({ cmd: 'publish', topic: m.topic, payload: m.payload, qos: m.qos, retain: false, dup: false } as AedesPublishPacket, () => undefined);
}

function publish(topic: string, payload: Buffer | string, qos: 0 | 1): void {
  if (outbox.push({ topic, payload, qos }) === 1) setImmediate(flush);
}

/** In-process subscriptions standing in for the master's own logic. */
const RELAYS: Record<string, (b: Aedes) => void> = {
  // reactor: each event becomes one reaction message (saltmq: matched, rendered, runner.event.send)
  react: (b) =>
    b.subscribe(
      'bench/react/#',
      (packet, done) => {
        const n = packet.topic.slice(packet.topic.lastIndexOf('/') + 1);
        publish(`bench/out/${n}`, packet.payload as Buffer, 0);
        process.nextTick(done);
      },
      () => undefined,
    ),
  // onboarding: hello (saltmq: salt/auth) → accept; start (salt/minion/<id>/start) → two jobs
  onboard: (b) => {
    b.subscribe(
      'hello/+',
      (packet, done) => {
        publish(`job/${packet.topic.slice(6)}`, '{"k":"accept"}', 1);
        process.nextTick(done);
      },
      () => undefined,
    );
    b.subscribe(
      'start/+',
      (packet, done) => {
        const id = packet.topic.slice(6);
        publish(`job/${id}`, '{"k":"state"}', 1);
        publish(`job/${id}`, '{"k":"cmd"}', 1);
        process.nextTick(done);
      },
      () => undefined,
    );
  },
};

serve({
  async listen(args: { tls?: { keyPem: string; certPem: string } }) {
    broker = await Aedes.createBroker();
    const b = broker;
    server = args.tls ? createTlsServer({ key: args.tls.keyPem, cert: args.tls.certPem }, (socket) => b.handle(socket)) : createNetServer((socket) => b.handle(socket));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return (server.address() as AddressInfo).port;
  },
  relay(args: { mode: string }) {
    const install = RELAYS[args.mode];
    if (!install || !broker) throw new Error(`no relay '${args.mode}' (or not listening)`);
    install(broker);
    return true;
  },
  collect() {
    (globalThis as { gc?: () => void }).gc?.();
    return true;
  },
  async close() {
    await new Promise<void>((resolve) => broker?.close(() => resolve()) ?? resolve());
    await new Promise<void>((resolve) => server?.close(() => resolve()) ?? resolve());
    return true;
  },
});
