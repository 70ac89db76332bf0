/**
 * The simulated fleet seen from the bench: N minions spread over worker processes (a few hundred
 * each, so thousands fit on a 2-core machine), with their progress summed for the progress line.
 */
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KeyPairPem } from '@saltmq/common';
import { forkWorker, type WorkerHandle } from '../lib/ipc.js';
import { waitUntil } from '../lib/stats.js';
import type { FleetInit, FleetProgress, FleetStats } from './fleet-worker.js';
import type { MasterTrust } from './master.js';

const WORKER = join(dirname(fileURLToPath(import.meta.url)), 'fleet-worker.ts');

export class Fleet {
  readonly #progress: FleetProgress[];

  private constructor(
    readonly workers: WorkerHandle[],
    readonly groups: { id: string; keys: KeyPairPem }[][],
  ) {
    this.#progress = workers.map(() => ({ ready: 0, started: 0, exited: 0, fired: 0, fireFailed: 0, jobs: 0, duplicates: 0 }));
    workers.forEach((worker, i) => {
      worker.onPush = (name, data) => {
        if (name === 'progress') this.#progress[i] = data as FleetProgress;
      };
    });
  }

  /** Forks the workers and hands each its share of the minions; nothing connects until start(). */
  static async create(dir: string, trust: MasterTrust, minions: { id: string; keys: KeyPairPem }[], perWorker: number): Promise<Fleet> {
    const groups: { id: string; keys: KeyPairPem }[][] = [];
    for (let i = 0; i < minions.length; i += perWorker) groups.push(minions.slice(i, i + perWorker));
    const workers = await Promise.all(groups.map((_, i) => forkWorker(WORKER, `fleet-${i}`)));
    await Promise.all(
      workers.map(async (worker, i) => {
        const workerDir = join(dir, `fleet-${i}`);
        await mkdir(workerDir, { recursive: true });
        const init: FleetInit = { dir: workerDir, host: trust.host, port: trust.port, certPem: trust.certPem, publicPem: trust.publicPem };
        await worker.call('init', init);
      }),
    );
    return new Fleet(workers, groups);
  }

  get size(): number {
    return this.groups.reduce((n, g) => n + g.length, 0);
  }

  /** Every minion starts connecting at once (each worker starts all of its own in one go). */
  async start(): Promise<void> {
    await Promise.all(this.workers.map((w, i) => w.call('start', { minions: this.groups[i] })));
  }

  async restart(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.call('restart')));
  }

  async stop(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.call('stop')));
  }

  progress(): FleetProgress {
    const sum: FleetProgress = { ready: 0, started: 0, exited: 0, fired: 0, fireFailed: 0, jobs: 0, duplicates: 0 };
    for (const p of this.#progress) for (const key of Object.keys(sum) as (keyof FleetProgress)[]) sum[key] += p[key];
    return sum;
  }

  waitReady(count: number, timeoutMs: number): Promise<boolean> {
    return waitUntil(() => this.progress().ready >= count, timeoutMs, 100);
  }

  async fireBus(perMinion: number, prefix: string): Promise<void> {
    await Promise.all(this.workers.map((w) => w.call('fireBus', { perMinion, prefix })));
  }

  /** Fires `count` reactor events numbered from `first`, split over the workers. */
  async fireReact(first: number, count: number, rules: number, prefix: string): Promise<void> {
    const share = Math.ceil(count / this.workers.length);
    await Promise.all(
      this.workers.map((w, i) => {
        const start = first + i * share;
        const n = Math.max(0, Math.min(share, first + count - start));
        return n > 0 ? w.call('fireReact', { first: start, count: n, rules, prefix }) : undefined;
      }),
    );
  }

  /** Sums the workers' ledgers: deliveries per jid, replays, and what the agents logged. */
  async stats(): Promise<FleetStats> {
    const all = await Promise.all(this.workers.map((w) => w.call<FleetStats>('stats')));
    const out: FleetStats = { ...this.progress(), perJid: {}, notes: {} };
    for (const s of all) {
      for (const [jid, n] of Object.entries(s.perJid)) out.perJid[jid] = (out.perJid[jid] ?? 0) + n;
      for (const [msg, entry] of Object.entries(s.notes)) {
        const current = out.notes[msg];
        out.notes[msg] = current ? { count: current.count + entry.count, example: current.example } : entry;
      }
    }
    return out;
  }

  pids(): number[] {
    return this.workers.map((w) => w.pid);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.close()));
  }
}
