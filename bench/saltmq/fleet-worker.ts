/**
 * One process of the simulated fleet: hundreds of minions, each the real MinionAgent (real TLS, real
 * signed CONNECT credentials, the real key handshake, real job verification and execution through
 * the real module registry), sharing this process's event loop. Only the jid and return stores are
 * in memory (see memory-stores.ts), and the master's certificate is pinned in advance (one shared
 * pki dir) instead of probed by every minion: that probe is one extra TLS handshake per new minion.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KeyPairPem, Logger, LogMeta } from '@saltmq/common';
import { MinionAgent } from '../../packages/minion/src/agent.js';
import { MINION_SCHEMA, resolveMinionConfig, type MinionConfig } from '../../packages/minion/src/config.js';
import { coreGrains } from '../../packages/minion/src/grains/core.js';
import { Registry, type Grains } from '../../packages/minion/src/loader.js';
import { makeModules } from '../../packages/minion/src/modules/index.js';
import { minionFiles } from '../../packages/minion/src/keys.js';
import type { SeenJids } from '../../packages/minion/src/jobs/seen-jids.js';
import type { ReturnOutbox } from '../../packages/minion/src/jobs/outbox.js';
import { push, serve } from '../lib/ipc.js';
import { DeliveryLedger, MemoryOutbox, MemorySeenJids } from './memory-stores.js';

export interface FleetInit {
  dir: string;
  host: string;
  port: number;
  certPem: string;
  publicPem: string;
}

export interface FleetProgress {
  ready: number;
  started: number;
  exited: number;
  fired: number;
  fireFailed: number;
  jobs: number;
  duplicates: number;
}

export interface FleetStats extends FleetProgress {
  perJid: Record<string, number>;
  notes: Record<string, { count: number; example: string }>;
}

interface Sim {
  id: string;
  keys: KeyPairPem;
  seen: MemorySeenJids;
  outbox: MemoryOutbox;
  agent: MinionAgent | undefined;
  ready: boolean;
}

const sims = new Map<string, Sim>();
const ledger = new DeliveryLedger();
const counts = { ready: 0, started: 0, exited: 0, fired: 0, fireFailed: 0 };
const notes = new Map<string, { count: number; example: string }>();
let base: Readonly<MinionConfig> | undefined;
let baseGrains: Grains = {};

function note(level: string, msg: string, meta?: LogMeta): void {
  const key = `${level}: ${msg}`;
  const entry = notes.get(key);
  if (entry) entry.count++;
  else notes.set(key, { count: 1, example: JSON.stringify(meta ?? {}).slice(0, 400) });
}

/** The agent's log is how we learn its state: 'minion ready' is the lifecycle line tests rely on too. */
function simLogger(sim: Sim): Logger {
  const log: Logger = {
    debug: () => undefined,
    info: (msg) => {
      if (msg === 'minion ready' && !sim.ready) {
        sim.ready = true;
        counts.ready++;
      }
    },
    warn: (msg, meta) => {
      if (msg.startsWith('connection to the master lost') && sim.ready) {
        sim.ready = false;
        counts.ready--;
      }
      note('warning', msg, meta);
    },
    error: (msg, meta) => note('error', msg, meta),
    child: () => log,
  };
  return log;
}

function startAgent(sim: Sim): void {
  if (!base) throw new Error('init first');
  const root = join(base.root_dir, sim.id);
  const config = Object.freeze({ ...base, id: sim.id, root_dir: root, cachedir: join(root, 'cache') });
  const grains: Grains = { ...baseGrains, id: sim.id };
  const agent = new MinionAgent({
    config,
    log: simLogger(sim),
    keys: sim.keys,
    grains,
    // same methods as the real stores; see memory-stores.ts for why they are in memory here
    seen: sim.seen as unknown as SeenJids,
    outbox: sim.outbox as unknown as ReturnOutbox,
    makeRegistry: (self) => new Registry(makeModules(self.moduleHost()), grains),
  });
  sim.agent = agent;
  counts.started++;
  void agent.run().then(
    (code) => {
      counts.exited++;
      if (code !== 0) note('error', `agent exited with code ${code}`, { id: sim.id });
    },
    (error: Error) => note('error', 'agent crashed', { id: sim.id, error: error.message }),
  );
}

function progress(): FleetProgress {
  let jobs = 0;
  for (const n of ledger.perJid.values()) jobs += n;
  return { ...counts, jobs, duplicates: ledger.duplicates };
}

let last = '';
setInterval(() => {
  const now = JSON.stringify(progress());
  if (now !== last) push('progress', progress());
  last = now;
}, 250);

/** Fires events from the fleet's minions, yielding now and then so sockets keep flowing. */
async function fireEach(count: number, pick: (i: number) => { sim: Sim; tag: string; data: unknown }): Promise<void> {
  for (let i = 0; i < count; i++) {
    const { sim, tag, data } = pick(i);
    if (!sim.agent) continue;
    sim.agent.fireEvent(tag, data).then(
      () => counts.fired++,
      () => counts.fireFailed++,
    );
    if (i % 500 === 499) await new Promise((resolve) => setImmediate(resolve));
  }
}

serve({
  async init(args: FleetInit) {
    // the master's certificate and key as a minion caches them on first contact
    const pki = join(args.dir, 'pki');
    await mkdir(pki, { recursive: true, mode: 0o700 });
    const files = minionFiles(pki);
    await writeFile(files.masterCert, args.certPem);
    await writeFile(files.masterKey, args.publicPem);
    base = resolveMinionConfig(
      MINION_SCHEMA.parse({ master: args.host, master_port: args.port, id: 'template', root_dir: args.dir, pki_dir: pki, log_level: 'warning' }),
      args.dir,
    );
    // grains are probed once per process (the same machine), then each minion gets its own id
    baseGrains = await coreGrains('template', {});
    return true;
  },

  start(args: { minions: { id: string; keys: KeyPairPem }[] }) {
    for (const { id, keys } of args.minions) {
      let sim = sims.get(id);
      if (!sim) {
        sim = { id, keys, seen: new MemorySeenJids(ledger), outbox: new MemoryOutbox(), agent: undefined, ready: false };
        sims.set(id, sim);
      }
      startAgent(sim);
    }
    return sims.size;
  },

  /** Starts every stopped agent again with its stores kept (a minion restart). */
  restart() {
    for (const sim of sims.values()) if (!sim.agent) startAgent(sim);
    return sims.size;
  },

  async stop() {
    await Promise.all(
      [...sims.values()].map(async (sim) => {
        const agent = sim.agent;
        sim.agent = undefined;
        if (sim.ready) counts.ready--;
        sim.ready = false;
        await agent?.stop();
      }),
    );
    return true;
  },

  /** Each minion fires `perMinion` events tagged with its own id (the bus figure). */
  async fireBus(args: { perMinion: number; prefix: string }) {
    const list = [...sims.values()];
    await fireEach(list.length * args.perMinion, (i) => {
      const sim = list[i % list.length]!;
      return { sim, tag: `${args.prefix}/${sim.id}`, data: { n: Math.floor(i / list.length) } };
    });
    return list.length * args.perMinion;
  },

  /** Events numbered from `first`, spread over the minions, one per reactor rule in turn. */
  async fireReact(args: { first: number; count: number; rules: number; prefix: string }) {
    const list = [...sims.values()];
    await fireEach(args.count, (i) => {
      const n = args.first + i;
      return { sim: list[n % list.length]!, tag: `${args.prefix}/${n % args.rules}/${n}`, data: { n } };
    });
    return args.count;
  },

  stats(): FleetStats {
    return { ...progress(), perJid: Object.fromEntries(ledger.perJid), notes: Object.fromEntries(notes) };
  },
});
