/**
 * Event bus throughput: every minion fires K events at once; the master checks each, wraps it as
 * Salt's `_minion_event` load, journals it, hands it to the reactor and publishes it on the bus,
 * where the bench's admin client counts them. Rate = events received / (last received − first sent).
 * bare: every client publishes K messages on its own topic; one subscriber counts them.
 */
import type { BareTls } from '../bare/bare.js';
import { BareBroker, BareFleet, bareController } from '../bare/bare.js';
import { say, ticker } from '../lib/progress.js';
import { figure } from '../lib/report.js';
import { round, sleep } from '../lib/stats.js';
import { BenchAdmin } from '../saltmq/admin.js';
import { Fleet } from '../saltmq/fleet.js';
import { startSaltMaster } from '../saltmq/master.js';
import { acceptedKeys, bothTransports, minions, phaseDir, Tally, waitFor, type PhaseContext, type PhaseResult } from './context.js';

interface Run {
  rate: number;
  received: number;
  lost: number;
  duplicates: number;
  cpuMs: number;
  notes: string[];
}

const PREFIX = 'bench/bus';

const rateOf = (tally: Tally, start: number) => (tally.size > 0 ? (tally.size * 1000) / Math.max(1, tally.last - start) : 0);

async function saltmqBus(ctx: PhaseContext, n: number, k: number): Promise<Run> {
  const dir = await phaseDir(ctx, 'bus');
  const fleetMinions = minions(ctx, n);
  const master = await startSaltMaster(dir, { accept: acceptedKeys(fleetMinions), profileDir: ctx.options.profileDir });
  const fleet = await Fleet.create(dir, master.trust, fleetMinions, ctx.options.perWorker);
  let admin: BenchAdmin | undefined;
  try {
    await fleet.startReady();
    admin = await BenchAdmin.connect(master.trust);
    const tally = new Tally();
    await admin.watch([`${PREFIX}/#`], (_topic, payload) => {
      // the master's wrapped load: { id, cmd: '_minion_event', data: { n }, tag, _stamp }
      const load = JSON.parse(payload.toString()) as { id: string; data: { n: number } };
      tally.add(`${load.id}:${load.data.n}`);
    });
    await sleep(1000);
    const total = n * k;
    say(`saltmq: ${n} minions fire ${k} events each (${total})`);
    const cpu0 = master.cpuMs();
    const start = Date.now();
    const stop = ticker(() => `received ${tally.size}/${total}`);
    await fleet.fireBus(k, PREFIX);
    await waitFor(() => tally.size >= total, () => tally.size, 30_000);
    stop();
    const cpuMs = master.cpuMs() - cpu0;
    const stats = await fleet.stats();
    say(`saltmq: ${tally.size}/${total} events, ${Math.round(rateOf(tally, start))}/s`);
    const notes = stats.fireFailed ? [`${stats.fireFailed} events could not be handed to a socket`] : [];
    return { rate: rateOf(tally, start), received: tally.size, lost: total - tally.size, duplicates: tally.duplicates, cpuMs, notes };
  } finally {
    await admin?.close();
    await fleet.close();
    await master.stop();
  }
}

async function bareBus(ctx: PhaseContext, n: number, k: number, tls: BareTls | undefined): Promise<Run> {
  const label = tls ? 'bare tls' : 'bare tcp';
  const broker = await BareBroker.start(tls);
  const fleet = await BareFleet.create(broker, minions(ctx, n).map((m) => m.id), ctx.options.perWorker);
  try {
    await fleet.connect('idle');
    const controller = await bareController(broker);
    const tally = new Tally();
    controller.on('message', (topic, payload) => tally.add(`${topic}:${payload.toString()}`));
    await controller.subscribeAsync(`${PREFIX}/#`, { qos: 0 });
    await sleep(1000);
    const total = n * k;
    const cpu0 = broker.cpuMs();
    const start = Date.now();
    await fleet.fireBus(k, PREFIX);
    await waitFor(() => tally.size >= total, () => tally.size, 30_000);
    say(`${label}: ${tally.size}/${total} events, ${Math.round(rateOf(tally, start))}/s`);
    await controller.endAsync();
    return { rate: rateOf(tally, start), received: tally.size, lost: total - tally.size, duplicates: tally.duplicates, cpuMs: broker.cpuMs() - cpu0, notes: [] };
  } finally {
    await fleet.close();
    await broker.close();
  }
}

export async function runBus(ctx: PhaseContext, n: number, k: number): Promise<PhaseResult> {
  const salt = await saltmqBus(ctx, n, k);
  const bare = await bothTransports(ctx, (tls) => bareBus(ctx, n, k, tls));
  const slowdown = salt.rate > 0 ? bare.tcp.rate / salt.rate : Infinity;
  return {
    bus: figure({
      title: `event bus, ${n} minions → subscriber`,
      measures: `${n * k} events (${k} per minion) fired at once, received by one subscriber; events / (last received − first sent)`,
      unit: 'events/s',
      better: 'higher',
      value: Math.round(salt.rate),
      details: { minions: n, events: n * k, received: salt.received, master_cpu_s: round(salt.cpuMs / 1000), bare_broker_cpu_s: round(bare.tcp.cpuMs / 1000) },
      baseline: {
        value: Math.round(bare.tcp.rate),
        tls: bare.tls ? Math.round(bare.tls.rate) : null,
        how: 'each client publishes on bench/bus/<id> (QoS 1); one subscriber on bench/bus/# counts',
        details: { lost: bare.tcp.lost },
      },
      target: { text: 'bare/saltmq ≤ 1.3, none lost', met: slowdown <= 1.3 && salt.lost === 0 },
      lost: salt.lost,
      duplicates: salt.duplicates,
      notes: salt.notes,
    }),
  };
}
