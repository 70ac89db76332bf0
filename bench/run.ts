/**
 * `npm run bench`: saltmq against a bare Aedes broker with bare mqtt.js clients, in the same run, on
 * loopback. Writes bench/results.json and prints a table; every process and temp dir it made is
 * removed at the end, on failure and on Ctrl-C. See bench/README.md for what each figure measures.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeSelfSignedCert } from '@saltmq/common';
import { cleanupAll, installSignalHandlers, trackDir } from './lib/cleanup.js';
import { ensureKeys } from './lib/keys.js';
import { enableNoDelay, extraMasterConfig } from './lib/node-args.js';
import { gitCommit, machineInfo } from './lib/machine.js';
import { parseOptions, type BenchOptions } from './lib/options.js';
import { phase, say } from './lib/progress.js';
import { renderTable, writeResults, type Figure, type Results } from './lib/report.js';
import { runBus } from './phases/bus.js';
import type { PhaseContext, PhaseResult } from './phases/context.js';
import { startIdle, type IdleRun } from './phases/idle.js';
import { runOffline } from './phases/offline.js';
import { runOnboard } from './phases/onboard.js';
import { runPing } from './phases/ping.js';
import { runReactor } from './phases/reactor.js';
import { runRender } from './phases/render.js';
import { ROOT } from './saltmq/master.js';

const NOTES = [
  'simulated minions run the real MinionAgent code, many per process; their jid and return stores are in memory (a real minion fsyncs to its own disk)',
  'every simulated minion connects from 127.0.0.1, so the master runs with connect_rate_per_ip raised; all else is its default config',
  'baselines: bare Aedes (no hooks, no auth, no journal) over plain TCP; "bare tls" is the same behind a TLS server, to show TLS\'s share',
  'load generators, master and baseline share this machine; ratios matter more than absolute numbers',
];

function keysNeeded(o: BenchOptions): number {
  const sizes = [20];
  if (o.phases.some((p) => p === 'ping' || p === 'bus' || p === 'onboard' || p === 'offline')) sizes.push(o.minions);
  if (o.phases.includes('ping-big') || o.phases.includes('memory')) sizes.push(o.bigMinions);
  return Math.max(...sizes);
}

async function runPhases(ctx: PhaseContext, figures: Record<string, Figure>, failures: Record<string, string>): Promise<void> {
  const o = ctx.options;
  const steps: [string, () => Promise<PhaseResult>][] = [];
  // with one fleet size and no large ping, the memory figure is read on the ping fleet
  const memoryInPing = o.phases.includes('ping') && o.phases.includes('memory') && !o.phases.includes('ping-big') && o.bigMinions === o.minions;
  if (o.phases.includes('ping')) {
    const title = `ping${memoryInPing ? ' + memory' : ''} (${o.minions} minions)`;
    steps.push([title, () => runPing(ctx, o.minions, { jobs: o.jobs, key: 'ping', memory: memoryInPing, pingTarget: '250ms' })]);
  }
  if (o.phases.includes('ping-big') || (o.phases.includes('memory') && !memoryInPing)) {
    const jobs = o.phases.includes('ping-big') ? o.jobs : 0;
    const what = [jobs ? 'ping' : '', o.phases.includes('memory') ? 'memory' : ''].filter(Boolean).join(' + ');
    steps.push([`${what} (${o.bigMinions} minions)`, () => runPing(ctx, o.bigMinions, { jobs, key: 'ping_big', memory: o.phases.includes('memory'), pingTarget: '1s' })]);
  }
  if (o.phases.includes('bus')) steps.push([`event bus (${o.minions} minions)`, () => runBus(ctx, o.minions, o.busEvents)]);
  if (o.phases.includes('reactor')) steps.push([`reactor (${o.reactorRules} rules, ${o.reactorSeconds} s)`, () => runReactor(ctx)]);
  if (o.phases.includes('render')) steps.push(['reactor file render, guarded against injection', () => runRender(ctx)]);
  if (o.phases.includes('onboard')) steps.push([`onboarding (${o.minions} new minions)`, () => runOnboard(ctx, o.minions)]);
  if (o.phases.includes('offline')) steps.push([`offline jobs (${o.minions} minions)`, () => runOffline(ctx, o.minions)]);
  for (const [name, step] of steps) {
    phase(name);
    try {
      Object.assign(figures, await step());
    } catch (error) {
      failures[name] = error instanceof Error ? (error.stack ?? error.message) : String(error);
      say(`FAILED: ${failures[name]}`);
    }
  }
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2), join(ROOT, 'bench', 'results.json'));
  installSignalHandlers();
  if (options.noDelay) await enableNoDelay();
  Object.assign(extraMasterConfig, options.masterConfig);
  const started = new Date();
  const root = trackDir(await mkdtemp(join(tmpdir(), 'saltmq-bench-')));
  say(`saltmq bench: phases ${options.phases.join(', ')}${options.quick ? ' (quick)' : ''}; temp dir ${root}`);

  phase('keys');
  const needed = keysNeeded(options);
  const keys = await ensureKeys(needed, (done, total) => say(`generated ${done}/${total} minion keys (cached in bench/.keys/)`));
  say(`${keys.length} minion keys ready`);
  const ctx: PhaseContext = {
    options,
    root,
    keys,
    bareTls: { keyPem: keys[0]!.privatePem, certPem: makeSelfSignedCert(keys[0]!.privatePem, keys[0]!.publicPem) },
  };

  const figures: Record<string, Figure> = {};
  const failures: Record<string, string> = {};
  let idle: IdleRun | undefined;
  if (options.phases.includes('idle')) {
    phase('idle agent (background)');
    idle = await startIdle(ctx).catch((error: Error) => ((failures.idle = error.stack ?? error.message), undefined));
  }
  await runPhases(ctx, figures, failures);
  if (idle) {
    phase('idle agent RSS');
    Object.assign(figures, await idle.finish().catch((error: Error) => ((failures.idle = error.stack ?? error.message), {})));
  }

  const finished = new Date();
  const { commit, dirty } = gitCommit(ROOT);
  const results: Results = {
    machine: machineInfo(),
    commit,
    dirty,
    started: started.toISOString(),
    finished: finished.toISOString(),
    duration_s: Math.round((finished.getTime() - started.getTime()) / 1000),
    options: { ...options },
    figures,
    failures,
    notes: [
      ...NOTES,
      ...(options.noDelay ? ["EXPERIMENT --nodelay: TCP_NODELAY was forced on every socket, the master's included; saltmq does not do this itself"] : []),
      ...(Object.keys(options.masterConfig).length ? [`EXPERIMENT master options: ${JSON.stringify(options.masterConfig)}`] : []),
    ],
  };
  await writeResults(options.output, results);
  process.stdout.write(`\n${renderTable(results)}\n\nresults written to ${options.output}\n`);
  return Object.keys(failures).length > 0 ? 1 : 0;
}

main()
  .catch((error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  })
  .then(async (code) => {
    await cleanupAll();
    process.exit(code);
  });
