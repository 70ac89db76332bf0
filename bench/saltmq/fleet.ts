/**
 * The simulated fleet seen from the bench: N minions spread over worker processes (a few hundred
 * each, so thousands fit on a 2-core machine), with their progress summed for the progress line.
 */
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KeyPairPem } from '@saltmq/common';
import { forkWorker, type WorkerHandle } from '../lib/ipc.js';
import { ticker } from '../lib/progress.js';
import { splitRange, waitUntil } from '../lib/stats.js';
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

  /**
   * Starts every minion and waits until all are ready, with a progress line; the wait grows with the
   * fleet (40 ms a minion on top of a minute). Throws with what the agents logged if they were not.
   */
  async startReady(): Promise<void> {
    const n = this.size;
    const stop = ticker(() => `connected ${this.progress().ready}/${n}`);
    let ready: boolean;
    try {
      await this.start();
      ready = await this.waitReady(n, 60_000 + n * 40);
    } finally {
      stop();
    }
    if (!ready) throw new Error(`only ${this.progress().ready}/${n} minions became ready: ${JSON.stringify((await this.stats()).notes).slice(0, 800)}`);
  }

  async fireBus(perMinion: number, prefix: string): Promise<void> {
    await Promise.all(this.workers.map((w) => w.call('fireBus', { perMinion, prefix })));
  }

  /** Fires `count` reactor events numbered from `first`, split over the workers. */
  async fireReact(first: number, count: number, rules: number, prefix: string): Promise<void> {
    await Promise.all(splitRange(first, count, this.workers.length).map((part, i) => part.count > 0 && this.workers[i]!.call('fireReact', { ...part, rules, prefix })));
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
