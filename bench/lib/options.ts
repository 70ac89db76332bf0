/** The bench's command line: full run by default, `--quick` for the smoke test, knobs for iteration. */
import { parseArgs } from 'node:util';
import yaml from 'js-yaml';

export const PHASES = ['idle', 'ping', 'ping-big', 'memory', 'bus', 'reactor', 'render', 'onboard', 'offline'] as const;
export type Phase = (typeof PHASES)[number];

export interface BenchOptions {
  quick: boolean;
  phases: Phase[];
  /** minions for ping, bus, onboarding and offline */
  minions: number;
  /** minions for the large ping and the memory figure */
  bigMinions: number;
  /** simulated minions per fleet worker process */
  perWorker: number;
  jobs: number;
  /** events each minion fires in the bus figure */
  busEvents: number;
  reactorSeconds: number;
  reactorRules: number;
  offlineJobs: number;
  idleSeconds: number;
  /** also measure every baseline behind TLS (TLS's share of the gap) */
  tlsBaseline: boolean;
  /** experiment: TCP_NODELAY on every socket, the master's included (saltmq does not set it yet) */
  noDelay: boolean;
  /** extra master options for experiments (`--master-opt reactor_worker_threads=100`) */
  masterConfig: Record<string, unknown>;
  /** run the master under `node --cpu-prof`, profiles written here */
  profileDir: string | undefined;
  output: string;
}

const USAGE = `Usage: npm run bench -- [options]

  --quick                 smoke run: 50 minions, 3 jobs, 5 s reactor, 20 s idle (about 2 minutes)
  --only LIST             comma-separated phases: ${PHASES.join(',')}
  --minions N             minions for ping, bus, onboard and offline (default 1000); also the
                          large ping and memory figure unless --big-minions is given
  --big-minions N         minions for ping-big and memory (default 5000)
  --per-worker N          simulated minions per fleet process (default 500)
  --jobs N                test.ping jobs per ping figure (default 20)
  --bus-events N          events per minion in the bus figure (default 20)
  --reactor-seconds N     how long the reactor is driven (default 30)
  --idle-minutes N        how long the idle agent idles before its RSS is read (default 10)
  --no-tls-baseline       skip the bare-over-TLS baselines
  --nodelay               experiment: TCP_NODELAY on every socket of every process, the master's
                          included (preloaded; saltmq, Aedes and mqtt.js leave Nagle on)
  --master-opt KEY=VALUE  experiment: an extra master option (value read as YAML), repeatable;
                          the results record it
  --profile-master DIR    run each master under node --cpu-prof, profiles in DIR
  --output FILE           results file (default bench/results.json)`;

export function parseOptions(argv: string[], defaultOutput: string): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      minions: { type: 'string' },
      'big-minions': { type: 'string' },
      'per-worker': { type: 'string' },
      jobs: { type: 'string' },
      'bus-events': { type: 'string' },
      'reactor-seconds': { type: 'string' },
      'idle-minutes': { type: 'string' },
      'no-tls-baseline': { type: 'boolean', default: false },
      nodelay: { type: 'boolean', default: false },
      'master-opt': { type: 'string', multiple: true },
      'profile-master': { type: 'string' },
      output: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    process.exit(0);
  }
  const int = (name: string, raw: string | undefined, fallback: number, min = 1): number => {
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min) throw new TypeError(`--${name} must be a number of at least ${min}, got '${raw}'`);
    return n;
  };
  const quick = values.quick;
  const phases = (values.only ? values.only.split(',').map((p) => p.trim()) : [...PHASES]) as Phase[];
  for (const phase of phases) if (!PHASES.includes(phase)) throw new TypeError(`unknown phase '${phase}'; phases are ${PHASES.join(', ')}`);
  const minions = int('minions', values.minions, quick ? 50 : 1000);
  const idleMinutes = values['idle-minutes'] === undefined ? undefined : int('idle-minutes', values['idle-minutes'], 10, 0.05);
  return {
    quick,
    phases: PHASES.filter((p) => phases.includes(p)),
    minions,
    bigMinions: int('big-minions', values['big-minions'], values.minions !== undefined ? minions : quick ? 100 : 5000),
    perWorker: int('per-worker', values['per-worker'], quick ? 50 : 500),
    jobs: int('jobs', values.jobs, quick ? 3 : 20),
    busEvents: int('bus-events', values['bus-events'], quick ? 5 : 20),
    reactorSeconds: int('reactor-seconds', values['reactor-seconds'], quick ? 5 : 30),
    reactorRules: 100,
    offlineJobs: quick ? 2 : 3,
    idleSeconds: idleMinutes !== undefined ? idleMinutes * 60 : quick ? 20 : 600,
    tlsBaseline: !values['no-tls-baseline'],
    noDelay: values.nodelay,
    masterConfig: Object.fromEntries(
      (values['master-opt'] ?? []).map((pair) => {
        const at = pair.indexOf('=');
        if (at < 1) throw new TypeError(`--master-opt takes KEY=VALUE, got '${pair}'`);
        return [pair.slice(0, at), yaml.load(pair.slice(at + 1))];
      }),
    ),
    profileDir: values['profile-master'],
    output: values.output ?? defaultOutput,
  };
}
