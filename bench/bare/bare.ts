/**
 * The baseline seen from the bench: a bare Aedes broker process, bare client processes, and a
 * controller client in the bench's own process that publishes and counts.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect, type MqttClient } from 'mqtt';
import { forkWorker, type WorkerHandle } from '../lib/ipc.js';
import { cpuMs, rssBytes } from '../lib/proc-stats.js';
import { splitRange, waitUntil } from '../lib/stats.js';
import type { BareConnect } from './clients-worker.js';

const HERE = dirname(fileURLToPath(import.meta.url));

export interface BareTls {
  keyPem: string;
  certPem: string;
}

export class BareBroker {
  private constructor(
    readonly worker: WorkerHandle,
    readonly port: number,
    readonly tls: BareTls | undefined,
  ) {}

  static async start(tls?: BareTls): Promise<BareBroker> {
    const worker = await forkWorker(join(HERE, 'broker.ts'), tls ? 'bare-broker-tls' : 'bare-broker', ['--expose-gc']);
    const port = await worker.call<number>('listen', tls ? { tls } : {});
    return new BareBroker(worker, port, tls);
  }

  relay(mode: 'react' | 'onboard'): Promise<unknown> {
    return this.worker.call('relay', { mode });
  }

  rss(): number {
    return rssBytes(this.worker.pid);
  }

  /** Collects the broker's garbage before its memory is read, as the saltmq master does on SIGUSR2. */
  async collect(): Promise<void> {
    await this.worker.call('collect');
  }

  cpuMs(): number {
    return cpuMs(this.worker.pid);
  }

  async close(): Promise<void> {
    await this.worker.call('close').catch(() => undefined);
    await this.worker.close();
  }
}

interface BareProgress {
  connected: number;
  received: number;
  duplicates: number;
  fired: number;
}

export class BareFleet {
  readonly #progress: BareProgress[];

  private constructor(
    readonly workers: WorkerHandle[],
    readonly groups: string[][],
    readonly broker: BareBroker,
  ) {
    this.#progress = workers.map(() => ({ connected: 0, received: 0, duplicates: 0, fired: 0 }));
    workers.forEach((w, i) => (w.onPush = (name, data) => void (name === 'progress' && (this.#progress[i] = data as BareProgress))));
  }

  static async create(broker: BareBroker, ids: string[], perWorker: number): Promise<BareFleet> {
    const groups: string[][] = [];
    for (let i = 0; i < ids.length; i += perWorker) groups.push(ids.slice(i, i + perWorker));
    const workers = await Promise.all(groups.map((_, i) => forkWorker(join(HERE, 'clients-worker.ts'), `bare-clients-${i}`)));
    return new BareFleet(workers, groups, broker);
  }

  /** Connects every client at once; resolves when each has connected and subscribed (or failed). */
  async connect(mode: BareConnect['mode'], clean = true): Promise<void> {
    await Promise.all(
      this.workers.map((w, i) => {
        const args: BareConnect = { ids: this.groups[i]!, port: this.broker.port, clean, mode };
        if (this.broker.tls) args.ca = this.broker.tls.certPem;
        return w.call('connect', args);
      }),
    );
  }

  async reconnect(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.call('reconnect')));
  }

  async disconnect(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.call('disconnect')));
  }

  async fireBus(perClient: number, prefix: string): Promise<void> {
    await Promise.all(this.workers.map((w) => w.call('fireBus', { perClient, prefix })));
  }

  async fireReact(first: number, count: number, rules: number, prefix: string): Promise<void> {
    await Promise.all(splitRange(first, count, this.workers.length).map((part, i) => part.count > 0 && this.workers[i]!.call('fireReact', { ...part, rules, prefix })));
  }

  progress(): BareProgress {
    const sum = { connected: 0, received: 0, duplicates: 0, fired: 0 };
    for (const p of this.#progress) for (const key of Object.keys(sum) as (keyof BareProgress)[]) sum[key] += p[key];
    return sum;
  }

  async stats(): Promise<BareProgress> {
    const all = await Promise.all(this.workers.map((w) => w.call<BareProgress>('stats')));
    const sum = { connected: 0, received: 0, duplicates: 0, fired: 0 };
    for (const p of all) for (const key of Object.keys(sum) as (keyof BareProgress)[]) sum[key] += p[key];
    return sum;
  }

  waitConnected(count: number, timeoutMs: number): Promise<boolean> {
    return waitUntil(() => this.progress().connected >= count, timeoutMs, 100);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
  }
}

/** A plain client in the bench's process: the baseline's publisher and counter. */
export async function bareController(broker: BareBroker, name = 'bench-controller'): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const client = connect({
      protocol: broker.tls ? 'mqtts' : 'mqtt',
      host: '127.0.0.1',
      port: broker.port,
      protocolVersion: 4,
      clientId: `${name}-${process.pid}`,
      clean: true,
      reconnectPeriod: 0,
      ...(broker.tls ? { ca: broker.tls.certPem, rejectUnauthorized: true, ...({ checkServerIdentity: () => undefined } as object) } : {}),
    });
    client.once('connect', () => resolve(client));
    client.once('error', reject);
  });
}
