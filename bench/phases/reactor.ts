/**
 * Reactor throughput: minions fire events tagged bench/react/<rule>/<n>; the master journals each,
 * matches it against 100 rules (`bench/react/<k>/*`, one of which matches), renders the rule's SLS
 * (jinja|yaml) and dispatches its reaction, runner.event.send of bench/out/<n>, which the admin client
 * counts. The drive is closed-loop: at most WINDOW events are in flight, so the figure is what the
 * reactor sustains, not how fast a queue can grow. Rate = reactions seen in the drive window / window.
 * bare: a relay subscribed inside the bare broker's process turns each event into one output message.
 */
import type { BareTls } from '../bare/bare.js';
import { BareBroker, BareFleet, bareController } from '../bare/bare.js';
import { say, ticker } from '../lib/progress.js';
import { figure } from '../lib/report.js';
import { round, sleep } from '../lib/stats.js';
import { BenchAdmin } from '../saltmq/admin.js';
import { Fleet } from '../saltmq/fleet.js';
import { startSaltMaster } from '../saltmq/master.js';
import { acceptedKeys, minions, phaseDir, Tally, waitFor, type PhaseContext, type PhaseResult } from './context.js';

const WINDOW = 4000;
const GENERATORS = 20;
const PREFIX = 'bench/react';

interface Run {
  rate: number;
  fired: number;
  reacted: number;
  duplicates: number;
  cpuMs: number;
  drainS: number;
}

/** Fires in batches whenever fewer than WINDOW events are waiting for their reaction. */
async function drive(fire: (first: number, count: number) => Promise<void>, tally: Tally, seconds: number): Promise<Omit<Run, 'cpuMs' | 'duplicates'>> {
  const start = Date.now();
  const end = start + seconds * 1000;
  let fired = 0;
  const stop = ticker(() => `fired ${fired}, reacted ${tally.size} (${Math.round((tally.size * 1000) / Math.max(1, Date.now() - start))}/s)`);
  while (Date.now() < end) {
    const room = WINDOW - (fired - tally.size);
    if (room >= 200) {
      const count = Math.min(room, 1000);
      await fire(fired, count);
      fired += count;
    } else {
      await sleep(5);
    }
  }
  const inWindow = tally.size;
  const elapsed = Date.now() - start;
  await waitFor(() => tally.size >= fired, () => tally.size, 30_000);
  stop();
  return { rate: (inWindow * 1000) / elapsed, fired, reacted: tally.size, drainS: round((Date.now() - end) / 1000) };
}

function reactorFiles(dir: string, rules: number): { config: Record<string, unknown>; files: Record<string, string> } {
  const sls = `${dir}/srv/reactor/react.sls`;
  return {
    config: { reactor: Array.from({ length: rules }, (_, k) => ({ [`${PREFIX}/${k}/*`]: [sls] })) },
    files: {
      // data is the minion's wrapped load; its own data carries the event number
      'srv/reactor/react.sls': "bench_reaction:\n  runner.event.send:\n    - tag: bench/out/{{ data['data']['n'] }}\n",
    },
  };
}

async function saltmqReactor(ctx: PhaseContext, seconds: number, rules: number): Promise<Run> {
  const dir = await phaseDir(ctx, 'reactor');
  const gens = minions(ctx, GENERATORS);
  const { config, files } = reactorFiles(dir, rules);
  const master = await startSaltMaster(dir, { accept: acceptedKeys(gens), config, files, profileDir: ctx.options.profileDir });
  const fleet = await Fleet.create(dir, master.trust, gens, GENERATORS);
  let admin: BenchAdmin | undefined;
  try {
    await fleet.start();
    if (!(await fleet.waitReady(GENERATORS, 60_000))) throw new Error('the generator minions did not become ready');
    admin = await BenchAdmin.connect(master.trust);
    const tally = new Tally();
    await admin.watch(['bench/out/#'], (topic) => tally.add(topic));
    await sleep(1000);
    say(`saltmq: driving the reactor for ${seconds} s (${rules} rules, ≤ ${WINDOW} events in flight)`);
    const cpu0 = master.cpuMs();
    const run = await drive((first, count) => fleet.fireReact(first, count, rules, PREFIX), tally, seconds);
    const cpuMs = master.cpuMs() - cpu0;
    say(`saltmq: ${Math.round(run.rate)} reactions/s sustained; ${run.reacted}/${run.fired} reacted`);
    const errors = master.problems.filter((l) => l.includes('reactor error')).length;
    if (errors) say(`saltmq: ${errors} reactor errors, e.g. ${master.problems.find((l) => l.includes('reactor error'))?.slice(0, 300)}`);
    return { ...run, duplicates: tally.duplicates, cpuMs };
  } finally {
    await admin?.close();
    await fleet.close();
    await master.stop();
  }
}

async function bareReactor(ctx: PhaseContext, seconds: number, rules: number, tls: BareTls | undefined): Promise<Run> {
  const broker = await BareBroker.start(tls);
  await broker.relay('react');
  const fleet = await BareFleet.create(broker, minions(ctx, GENERATORS).map((m) => m.id), GENERATORS);
  try {
    await fleet.connect('idle');
    const controller = await bareController(broker);
    const tally = new Tally();
    controller.on('message', (topic) => tally.add(topic));
    await controller.subscribeAsync('bench/out/#', { qos: 0 });
    const cpu0 = broker.cpuMs();
    const run = await drive((first, count) => fleet.fireReact(first, count, rules, PREFIX), tally, seconds);
    say(`bare ${tls ? 'tls' : 'tcp'}: ${Math.round(run.rate)} relays/s; ${run.reacted}/${run.fired}`);
    await controller.endAsync();
    return { ...run, duplicates: tally.duplicates, cpuMs: broker.cpuMs() - cpu0 };
  } finally {
    await fleet.close();
    await broker.close();
  }
}

export async function runReactor(ctx: PhaseContext): Promise<PhaseResult> {
  const { reactorSeconds: seconds, reactorRules: rules } = ctx.options;
  const salt = await saltmqReactor(ctx, seconds, rules);
  // the bare relay has no TLS-specific work to show; one transport is enough here
  const bare = await bareReactor(ctx, seconds, rules, undefined);
  return {
    reactor: figure({
      title: `reactor, ${rules} rules`,
      measures: `events matched against ${rules} rules, rendered and dispatched (runner.event.send), closed loop ≤ ${WINDOW} in flight, ${seconds} s`,
      unit: 'events/s',
      better: 'higher',
      value: Math.round(salt.rate),
      details: { seconds, fired: salt.fired, reacted: salt.reacted, drain_s: salt.drainS, master_cpu_s: round(salt.cpuMs / 1000), generators: GENERATORS },
      baseline: { value: Math.round(bare.rate), how: 'relay inside the bare broker process republishes each event as bench/out/<n>', details: { fired: bare.fired, reacted: bare.reacted } },
      target: { text: '≥ 20,000/s, none lost', met: salt.rate >= 20_000 && salt.reacted >= salt.fired },
      lost: salt.fired - salt.reacted,
      duplicates: salt.duplicates,
      notes: seconds < 30 ? [`driven for ${seconds} s (the issue asks 30 s)`] : [],
    }),
  };
}
