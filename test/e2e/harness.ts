/**
 * End-to-end harness: real master and minion processes on loopback, each in its own temp root, driven
 * through the same programs a user runs. Everything started here is stopped when the test ends.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';
import yaml from 'js-yaml';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = {
  master: join(ROOT, 'packages/master/dist/cli/master.js'),
  minion: join(ROOT, 'packages/minion/dist/cli/minion.js'),
  call: join(ROOT, 'packages/minion/dist/cli/call.js'),
  salt: join(ROOT, 'packages/master/dist/cli/salt.js'),
  key: join(ROOT, 'packages/master/dist/cli/key.js'),
  run: join(ROOT, 'packages/master/dist/cli/run.js'),
} as const;

export type LogRecord = Record<string, unknown> & { msg?: string; level?: string };

/** A process we started, with its parsed log lines. */
export class Proc {
  readonly logs: LogRecord[] = [];
  readonly stderrText: string[] = [];
  readonly exited: Promise<number | null>;
  #waiters: { test: (r: LogRecord) => boolean; resolve: (r: LogRecord) => void }[] = [];

  constructor(readonly child: ChildProcess) {
    this.exited = once(child, 'exit').then(([code, signal]) => (code as number | null) ?? (signal ? -1 : null));
    createInterface({ input: child.stderr! }).on('line', (line) => {
      this.stderrText.push(line);
      let record: LogRecord;
      try {
        record = JSON.parse(line) as LogRecord;
      } catch {
        return;
      }
      this.logs.push(record);
      this.#waiters = this.#waiters.filter((w) => (w.test(record) ? (w.resolve(record), false) : true));
    });
  }

  /** Resolves with the first log record (past or future) that passes the test. */
  waitForLog(test: (r: LogRecord) => boolean, timeoutMs = 20_000): Promise<LogRecord> {
    const found = this.logs.find(test);
    if (found) return Promise.resolve(found);
    return new Promise((resolvePromise, reject) => {
      const timer = setTimeout(() => reject(new Error(`log line not seen within ${timeoutMs} ms; last lines:\n${this.stderrText.slice(-15).join('\n')}`)), timeoutMs);
      const waiter = {
        test,
        resolve: (r: LogRecord) => {
          clearTimeout(timer);
          resolvePromise(r);
        },
      };
      this.#waiters.push(waiter);
      void this.exited.then((code) => {
        if (this.#waiters.includes(waiter)) {
          clearTimeout(timer);
          reject(new Error(`process exited (${code}) before the log line; last lines:\n${this.stderrText.slice(-15).join('\n')}`));
        }
      });
    });
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.running) this.child.kill(signal);
    return this.exited;
  }
}

export interface MasterHandle {
  dir: string;
  configDir: string;
  port: number;
  pkiDir: string;
  proc: Proc;
  /** restarts the master with the same config and keys */
  restart(): Promise<void>;
}

async function tempDir(t: TestContext, prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function spawnProc(t: TestContext, bin: string, args: string[]): Proc {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const proc = new Proc(child);
  t.after(() => proc.stop('SIGKILL'));
  return proc;
}

/** Starts a master on a free port in a temp root; `options` go into its `master` file. */
export async function startMaster(t: TestContext, options: Record<string, unknown> = {}, files: Record<string, string> = {}): Promise<MasterHandle> {
  const dir = await tempDir(t, 'saltmq-e2e-master-');
  const configDir = join(dir, 'etc');
  await mkdir(configDir, { recursive: true });
  await writeFile(join(configDir, 'master'), yaml.dump({ port: 0, interface: '127.0.0.1', root_dir: dir, log_level: 'info', ...options }));
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  const handle: MasterHandle = { dir, configDir, port: 0, pkiDir: join(dir, 'etc/saltmq/pki/master'), proc: undefined as unknown as Proc, restart: async () => undefined };
  const boot = async (port: number) => {
    if (port) {
      // keep whatever the test changed in the file; only pin the port
      const current = yaml.load(await readFile(join(configDir, 'master'), 'utf8')) as Record<string, unknown>;
      await writeFile(join(configDir, 'master'), yaml.dump({ ...current, port }));
    }
    handle.proc = spawnProc(t, BIN.master, ['-c', configDir]);
    const ready = await handle.proc.waitForLog((r) => r.msg === 'master ready');
    handle.port = Number(ready.port);
  };
  await boot(0);
  // a restart keeps the port, as a real master's fixed port, so minions find it again
  handle.restart = async () => {
    await handle.proc.stop();
    await boot(handle.port);
  };
  return handle;
}

export interface MinionHandle {
  id: string;
  dir: string;
  configDir: string;
  proc: Proc;
  start(): Promise<void>;
}

/** Starts a minion for the master; it has made its key and is connecting when this resolves. */
export async function startMinion(t: TestContext, master: MasterHandle, id: string, options: Record<string, unknown> = {}): Promise<MinionHandle> {
  const dir = await tempDir(t, `saltmq-e2e-${id.replace(/[^A-Za-z0-9_-]/g, '_')}-`);
  const configDir = join(dir, 'etc');
  await mkdir(configDir, { recursive: true });
  await writeFile(
    join(configDir, 'minion'),
    yaml.dump({ master: '127.0.0.1', master_port: master.port, id, root_dir: dir, log_level: 'info', acceptance_wait_time: 1, recon_default: 200, recon_max: 2000, ...options }),
  );
  const handle: MinionHandle = {
    id,
    dir,
    configDir,
    proc: undefined as unknown as Proc,
    start: async () => {
      handle.proc = spawnProc(t, BIN.minion, ['-c', configDir]);
    },
  };
  await handle.start();
  return handle;
}

export const minionReady = (m: MinionHandle, timeoutMs = 20_000) => m.proc.waitForLog((r) => r.msg === 'minion ready', timeoutMs);

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs one of the CLIs against the master's config and collects its output. */
export async function cli(master: MasterHandle, bin: keyof typeof BIN, args: string[], input?: string, timeoutMs = 60_000): Promise<CliResult> {
  const child = spawn(process.execPath, [BIN[bin], '-c', master.configDir, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  if (input !== undefined) child.stdin.end(input);
  else child.stdin.end();
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/** Runs saltmq-call with a minion's config directory (on the minion's host, as a user would). */
export async function callCli(configDir: string, args: string[], timeoutMs = 60_000): Promise<CliResult> {
  const child = spawn(process.execPath, [BIN.call, '-c', configDir, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/** A long-running CLI (state.event): its stdout lines as they come. */
export function spawnCli(t: TestContext, master: MasterHandle, bin: keyof typeof BIN, args: string[]): { child: ChildProcess; lines: string[]; waitForLine(test: (l: string) => boolean, timeoutMs?: number): Promise<string> } {
  const child = spawn(process.execPath, [BIN[bin], '-c', master.configDir, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SALTMQ_EVENT_READY: '1' } });
  t.after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const lines: string[] = [];
  const waiters: { test: (l: string) => boolean; resolve: (l: string) => void }[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    lines.push(line);
    for (const w of [...waiters]) if (w.test(line)) (waiters.splice(waiters.indexOf(w), 1), w.resolve(line));
  });
  return {
    child,
    lines,
    waitForLine(test, timeoutMs = 20_000) {
      const found = lines.find(test);
      if (found) return Promise.resolve(found);
      return new Promise((res, rej) => {
        const timer = setTimeout(() => rej(new Error(`line not seen; got:\n${lines.join('\n')}`)), timeoutMs);
        waiters.push({ test, resolve: (l) => (clearTimeout(timer), res(l)) });
      });
    },
  };
}

/** Polls a condition until it holds (for file-system effects that have no event to wait on). */
export async function eventually<T>(check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value as T;
    if (Date.now() > deadline) throw new Error(`${what} did not hold within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
