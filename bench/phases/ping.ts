/**
 * test.ping to every connected minion, publish to last return, and the master's memory per idle
 * connected minion (measured on the same fleet before the jobs).
 *
 * saltmq: the bench's admin client asks the master to publish `test.ping` to '*' (as `saltmq '*'
 * test.ping` does); the master signs the job once and sends it to each minion's private channel;
 * each simulated minion verifies the signature, runs test.ping and returns; the master stores each
 * return and fires salt/job/<jid>/ret/<id>, which the admin client counts.
 * bare: a controller publishes one message per client topic `job/<id>`; each client echoes it on
 * `ret/<id>`; the controller counts the echoes.
 */
import type { BareTls } from '../bare/bare.js';
import { BareBroker, BareFleet, bareController } from '../bare/bare.js';
import { say, ticker } from '../lib/progress.js';
import { figure } from '../lib/report.js';
import { percentile, round, sleep } from '../lib/stats.js';
import { cpuMs } from '../lib/proc-stats.js';
import { BenchAdmin } from '../saltmq/admin.js';
import { Fleet } from '../saltmq/fleet.js';
import { startSaltMaster } from '../saltmq/master.js';
import { acceptedKeys, bothTransports, minions, phaseDir, Tally, waitFor, type PhaseContext, type PhaseResult } from './context.js';

interface Run {
  latencies: number[];
  /** the first, unmeasured job (JIT warm-up) */
  warmupMs: number;
  lost: number;
  duplicates: number;
  connectMs: number;
  /** broker process RSS before any minion connected and after all were connected and idle */
  rssBefore: number;
  rssAfter: number;
  /** the master's live JS heap after a collection, MB (saltmq only: it logs it on SIGUSR2) */
  heapBefore?: number | undefined;
  heapAfter?: number | undefined;
  cpuMs: number;
  /** CPU seconds used while the jobs ran, by process group (saltmq only) */
  jobCpu?: Record<string, number>;
  notes: string[];
}

/** Lets the broker process settle (timers, lazy allocations) before its RSS is read. */
const SETTLE_MS = 3000;

async function saltmqPing(ctx: PhaseContext, n: number, jobs: number): Promise<Run> {
  const dir = await phaseDir(ctx, `ping-${n}`);
  const fleetMinions = minions(ctx, n);
  const master = await startSaltMaster(dir, { accept: acceptedKeys(fleetMinions), profileDir: ctx.options.profileDir });
  const fleet = await Fleet.create(dir, master.trust, fleetMinions, ctx.options.perWorker);
  let admin: BenchAdmin | undefined;
  try {
    await sleep(SETTLE_MS);
    const heapBefore = await master.collect();
    const rssBefore = master.rss();
    const cpu0 = master.cpuMs();
    say(`saltmq: ${n} minions connecting (${fleet.workers.length} fleet processes)`);
    const t0 = Date.now();
    await fleet.startReady();
    const connectMs = Date.now() - t0;
    say(`saltmq: ${n} minions ready in ${round(connectMs / 1000)} s`);
    await sleep(SETTLE_MS);
    const heapAfter = await master.collect();
    const rssAfter = master.rss();

    admin = await BenchAdmin.connect(master.trust);
    const returns = new Map<string, Tally>();
    await admin.watch(['salt/job/+/ret/+'], (topic) => {
      const [, , jid, , id] = topic.split('/');
      if (!jid || !id) return;
      let tally = returns.get(jid);
      if (!tally) returns.set(jid, (tally = new Tally()));
      tally.add(id);
    });
    const latencies: number[] = [];
    let lost = 0;
    let warmupMs = 0;
    // CPU of the master and of the simulated fleet during the jobs: on a shared machine, which one is busy says what limits the figure
    const fleetCpu = () => fleet.pids().reduce((sum, pid) => sum + cpuMs(pid), 0);
    const jobCpu0 = { master: master.cpuMs(), fleet: fleetCpu(), bench: process.cpuUsage() };
    const jobsStart = Date.now();
    // job 0 warms the JIT on both sides and is reported apart; jobs 1..N are the figure
    for (let j = jobs > 0 ? -1 : 0; j < jobs; j++) {
      const start = Date.now();
      const published = await admin.request<{ jid: string; minions: string[] }>('publish', { tgt: '*', fun: 'test.ping' });
      const tally = () => returns.get(published.jid);
      const complete = await waitFor(() => (tally()?.size ?? 0) >= n, () => tally()?.size ?? 0, 30_000);
      if (j < 0) warmupMs = complete ? tally()!.last - start : Number.NaN;
      else if (complete) latencies.push(tally()!.last - start);
      else lost += n - (tally()?.size ?? 0);
      if (j % 5 === 4 || j === jobs - 1) say(`saltmq: job ${j + 1}/${jobs}: ${complete ? `${tally()!.last - start} ms` : `incomplete (${tally()?.size ?? 0}/${n})`}`);
      await sleep(200);
    }
    const jobCpu = {
      wall_s: round((Date.now() - jobsStart) / 1000),
      master_s: round((master.cpuMs() - jobCpu0.master) / 1000),
      fleet_s: round((fleetCpu() - jobCpu0.fleet) / 1000),
      bench_s: round(((c) => (c.user + c.system) / 1e6)(process.cpuUsage(jobCpu0.bench))),
    };
    const stats = await fleet.stats();
    const notes = Object.entries(stats.notes)
      .filter(([msg]) => !msg.includes('connection to the master lost'))
      .map(([msg, e]) => `${msg} ×${e.count}`);
    return { latencies, warmupMs, lost, duplicates: stats.duplicates, connectMs, rssBefore, rssAfter, heapBefore, heapAfter, cpuMs: master.cpuMs() - cpu0, jobCpu, notes };
  } finally {
    await admin?.close();
    await fleet.close();
    await master.stop();
  }
}

async function barePing(ctx: PhaseContext, n: number, jobs: number, tls: BareTls | undefined): Promise<Run> {
  const label = tls ? 'bare tls' : 'bare tcp';
  const broker = await BareBroker.start(tls);
  const fleet = await BareFleet.create(broker, minions(ctx, n).map((m) => m.id), ctx.options.perWorker);
  try {
    await sleep(SETTLE_MS);
    await broker.collect();
    const rssBefore = broker.rss();
    const cpu0 = broker.cpuMs();
    const t0 = Date.now();
    const stop = ticker(() => `${label}: connected ${fleet.progress().connected}/${n}`);
    await fleet.connect('echo');
    stop();
    const connectMs = Date.now() - t0;
    await sleep(SETTLE_MS);
    await broker.collect();
    const rssAfter = broker.rss();
    const controller = await bareController(broker);
    const replies = new Map<string, Tally>();
    controller.on('message', (topic, payload) => {
      const j = payload.toString();
      let tally = replies.get(j);
      if (!tally) replies.set(j, (tally = new Tally()));
      tally.add(topic);
    });
    await controller.subscribeAsync('ret/+', { qos: 1 });
    const ids = fleet.groups.flat();
    const latencies: number[] = [];
    let lost = 0;
    let warmupMs = 0;
    for (let j = jobs > 0 ? -1 : 0; j < jobs; j++) {
      const key = JSON.stringify({ j });
      const start = Date.now();
      for (const id of ids) controller.publish(`job/${id}`, key, { qos: 1 });
      const tally = () => replies.get(key);
      const complete = await waitFor(() => (tally()?.size ?? 0) >= n, () => tally()?.size ?? 0, 30_000);
      if (j < 0) warmupMs = complete ? tally()!.last - start : Number.NaN;
      else if (complete) latencies.push(tally()!.last - start);
      else lost += n - (tally()?.size ?? 0);
      await sleep(200);
    }
    say(`${label}: p50 ${percentile(latencies, 50)} ms over ${latencies.length} jobs`);
    await controller.endAsync();
    const stats = await fleet.stats();
    return { latencies, warmupMs, lost, duplicates: stats.duplicates, connectMs, rssBefore, rssAfter, cpuMs: broker.cpuMs() - cpu0, notes: [] };
  } finally {
    await fleet.close();
    await broker.close();
  }
}

const perMinionKb = (r: Run, n: number) => (r.rssAfter - r.rssBefore) / n / 1024;

export async function runPing(ctx: PhaseContext, n: number, opts: { jobs: number; key: string; memory: boolean; pingTarget: string }): Promise<PhaseResult> {
  const salt = await saltmqPing(ctx, n, opts.jobs);
  const bare = await bothTransports(ctx, (tls) => barePing(ctx, n, opts.jobs, tls));
  const out: PhaseResult = {};
  if (opts.jobs > 0) {
    const p50 = percentile(salt.latencies, 50);
    const bareP50 = percentile(bare.tcp.latencies, 50);
    const ratio = p50 / bareP50;
    const limit = opts.pingTarget === '1s' ? 1000 : 250;
    out[opts.key] = figure({
      title: `test.ping to ${n} minions`,
      measures: `publish request to last return event, p50 and p99 over ${opts.jobs} jobs after one warm-up job`,
      unit: 'ms',
      better: 'lower',
      value: p50,
      details: { p99: percentile(salt.latencies, 99), minions: n, jobs: opts.jobs, warmup_job_ms: salt.warmupMs, connect_s: round(salt.connectMs / 1000), master_cpu_s: round(salt.cpuMs / 1000), cpu_during_jobs: salt.jobCpu, latencies: salt.latencies },
      baseline: {
        value: bareP50,
        tls: bare.tls ? percentile(bare.tls.latencies, 50) : null,
        how: 'controller publishes job/<id> to every client, each echoes on ret/<id>; last echo',
        details: { p99: percentile(bare.tcp.latencies, 99), warmup_job_ms: bare.tcp.warmupMs, p99_tls: bare.tls ? percentile(bare.tls.latencies, 99) : null, connect_s: round(bare.tcp.connectMs / 1000) },
      },
      target: opts.pingTarget === '1s' ? { text: 'p50 ≤ 1 s', met: p50 <= 1000 } : { text: 'p50 ≤ 250 ms, ratio ≤ 1.5', met: p50 <= limit && ratio <= 1.5 },
      lost: salt.lost,
      duplicates: salt.duplicates,
      notes: salt.notes,
    });
  }
  if (opts.memory) {
    const kb = perMinionKb(salt, n);
    out.memory = figure({
      title: `master memory per idle minion (N=${n})`,
      measures: 'master RSS delta from before the fleet connected to all connected and idle, divided by N',
      unit: 'KB',
      better: 'lower',
      value: round(kb),
      details: {
        minions: n,
        rss_before_mb: round(salt.rssBefore / 2 ** 20),
        rss_after_mb: round(salt.rssAfter / 2 ** 20),
        // RSS keeps the heap's high-water mark from the connect storm; the live heap is what stays
        live_heap_per_minion_kb: salt.heapAfter !== undefined && salt.heapBefore !== undefined ? round(((salt.heapAfter - salt.heapBefore) * 1024) / n) : null,
      },
      baseline: {
        value: round(perMinionKb(bare.tcp, n)),
        tls: bare.tls ? round(perMinionKb(bare.tls, n)) : null,
        how: 'bare Aedes process RSS delta per connected, subscribed client',
      },
      target: { text: '≤ 40 KB', met: kb <= 40 },
      lost: 0,
      duplicates: 0,
      notes: n < 1000 ? [`measured at N=${n}; small N makes RSS noise large`] : [],
    });
  }
  return out;
}
