/**
 * Starts the real `saltmq-master` program (the built dist, as a user runs it) with its own config in
 * a temp root, keys pre-accepted by writing them where `saltmq-key -a` would, and reads the bound
 * port from its 'master ready' log line.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import { pemFingerprint } from '@saltmq/common';
import { stopChild, trackChild } from '../lib/cleanup.js';
import { childNodeArgs, extraMasterConfig } from '../lib/node-args.js';
import { rssBytes, cpuMs } from '../lib/proc-stats.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const MASTER_BIN = join(ROOT, 'packages/master/dist/cli/master.js');
export const MINION_BIN = join(ROOT, 'packages/minion/dist/cli/minion.js');

/** What a client needs to reach and trust the master. */
export interface MasterTrust {
  host: string;
  port: number;
  certPem: string;
  publicPem: string;
  fingerprint: string;
  adminToken: string;
}

export interface SaltMaster {
  child: ChildProcess;
  pid: number;
  dir: string;
  trust: MasterTrust;
  /** warnings and errors the master logged, for the report when something goes wrong */
  problems: string[];
  rss(): number;
  /** asks the master to collect its garbage (it runs with --expose-gc) before memory is read */
  collect(): Promise<number | undefined>;
  cpuMs(): number;
  stop(): Promise<void>;
}

export interface MasterSetup {
  config?: Record<string, unknown>;
  /** minions whose keys are accepted before the master starts */
  accept?: { id: string; publicPem: string }[];
  /** files to write under the master's root (reactor SLS, state files) */
  files?: Record<string, string>;
  profileDir?: string | undefined;
}

/**
 * `connect_rate_per_ip` is raised because every simulated minion connects from 127.0.0.1, while in a
 * real fleet each has its own address; everything else is the master's default.
 */
export async function startSaltMaster(dir: string, setup: MasterSetup = {}): Promise<SaltMaster> {
  const configDir = join(dir, 'etc');
  const pkiDir = join(dir, 'etc/saltmq/pki/master');
  await mkdir(join(pkiDir, 'minions'), { recursive: true, mode: 0o700 });
  await writeFile(
    join(configDir, 'master'),
    yaml.dump({ port: 0, interface: '127.0.0.1', root_dir: dir, log_level: 'info', connect_rate_per_ip: 1_000_000, ...setup.config, ...extraMasterConfig }),
  );
  for (const { id, publicPem } of setup.accept ?? []) await writeFile(join(pkiDir, 'minions', id), publicPem);
  for (const [path, content] of Object.entries(setup.files ?? {})) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  // --expose-gc: memory figures are read after a collection (SIGUSR2), on both sides of the comparison
  const nodeArgs = [...childNodeArgs, '--expose-gc', ...(setup.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${setup.profileDir}`] : [])];
  const child = trackChild(spawn(process.execPath, [...nodeArgs, MASTER_BIN, '-c', configDir], { stdio: ['ignore', 'ignore', 'pipe'] }));
  const problems: string[] = [];
  const tail: string[] = [];
  const memory: { last?: { heap_used_mb?: number } | undefined } = {};
  const port = await new Promise<number>((resolvePort, reject) => {
    createInterface({ input: child.stderr! }).on('line', (line) => {
      tail.push(line);
      if (tail.length > 30) tail.shift();
      let record: { msg?: string; level?: string; port?: number };
      try {
        record = JSON.parse(line) as typeof record;
      } catch {
        return;
      }
      if (record.msg === 'master ready' && typeof record.port === 'number') resolvePort(record.port);
      else if (record.msg === 'memory report') memory.last = record as { heap_used_mb?: number };
      else if ((record.level === 'warning' || record.level === 'error') && problems.length < 200) problems.push(line);
    });
    child.once('exit', (code) => reject(new Error(`saltmq-master exited (${code}) before it was ready:\n${tail.join('\n')}`)));
  });
  const [certPem, publicPem, token] = await Promise.all(['master.crt', 'master.pub', 'admin.token'].map((f) => readFile(join(pkiDir, f), 'utf8')));
  const pid = child.pid!;
  return {
    child,
    pid,
    dir,
    trust: { host: '127.0.0.1', port, certPem: certPem!, publicPem: publicPem!, fingerprint: pemFingerprint(publicPem!), adminToken: token!.trim() },
    problems,
    rss: () => rssBytes(pid),
    collect: async () => {
      memory.last = undefined;
      child.kill('SIGUSR2');
      await new Promise((resolve) => setTimeout(resolve, 1000));
      // set by the stderr reader meanwhile, which TypeScript cannot see
      return (memory.last as { heap_used_mb?: number } | undefined)?.heap_used_mb;
    },
    cpuMs: () => cpuMs(pid),
    stop: () => stopChild(child, 15_000),
  };
}
