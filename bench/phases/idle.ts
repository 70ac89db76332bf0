/**
 * One idle minion agent's RSS after a long idle: the real `saltmq-minion` program (its own key, its
 * own stores on disk), connected to its own small master, left alone for 10 minutes (or as asked).
 * It runs in the background while the other phases run; the RSS is read when the time is up.
 * bare: one mqtt.js client process (plain node, no loader) connected and subscribed to a bare broker.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import yaml from 'js-yaml';
import { BareBroker } from '../bare/bare.js';
import { stopChild, trackChild } from '../lib/cleanup.js';
import { rssBytes } from '../lib/proc-stats.js';
import { say } from '../lib/progress.js';
import { figure } from '../lib/report.js';
import { round, sleep } from '../lib/stats.js';
import { MINION_BIN, startSaltMaster } from '../saltmq/master.js';
import { phaseDir, type PhaseContext, type PhaseResult } from './context.js';

const IDLE_CLIENT = join(dirname(fileURLToPath(import.meta.url)), '../bare/idle-client.mjs');

/** Resolves when a line of the stream passes the test; rejects if the process exits first. */
function waitForLine(child: ChildProcess, stream: 'stdout' | 'stderr', test: (line: string) => boolean, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line within ${timeoutMs / 1000} s`)), timeoutMs);
    createInterface({ input: child[stream]! }).on('line', (line) => {
      if (test(line)) (clearTimeout(timer), resolve());
    });
    child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`exited (${code}) before it was ready`))));
  });
}

export interface IdleRun {
  finish(): Promise<PhaseResult>;
}

export async function startIdle(ctx: PhaseContext): Promise<IdleRun> {
  const seconds = ctx.options.idleSeconds;
  const dir = await phaseDir(ctx, 'idle');
  const master = await startSaltMaster(join(dir, 'master'), { config: { auto_accept: true } });
  const minionDir = join(dir, 'minion');
  await mkdir(join(minionDir, 'etc'), { recursive: true });
  await writeFile(
    join(minionDir, 'etc', 'minion'),
    yaml.dump({ master: '127.0.0.1', master_port: master.trust.port, id: 'idle-minion', root_dir: minionDir, log_level: 'info' }),
  );
  const minion = trackChild(spawn(process.execPath, [MINION_BIN, '-c', join(minionDir, 'etc')], { stdio: ['ignore', 'ignore', 'pipe'] }));
  await waitForLine(minion, 'stderr', (line) => line.includes('"minion ready"'), 60_000);
  const broker = await BareBroker.start();
  const bare = trackChild(spawn(process.execPath, [IDLE_CLIENT, String(broker.port)], { stdio: ['ignore', 'pipe', 'inherit'] }));
  await waitForLine(bare, 'stdout', (line) => line === 'ready', 30_000);
  const readyAt = Date.now();
  say(`idle: the saltmq-minion (pid ${minion.pid}) and the bare client (pid ${bare.pid}) idle for ${round(seconds / 60, 2)} min in the background`);
  const samples: { t_s: number; minion_mb: number; bare_mb: number }[] = [];
  const sample = () => samples.push({ t_s: round((Date.now() - readyAt) / 1000), minion_mb: round(rssBytes(minion.pid!) / 2 ** 20), bare_mb: round(rssBytes(bare.pid!) / 2 ** 20) });
  sample();
  const sampler = setInterval(sample, Math.max(5000, (seconds * 1000) / 10));

  return {
    async finish() {
      const left = readyAt + seconds * 1000 - Date.now();
      if (left > 0) {
        say(`idle: waiting ${round(left / 1000)} s more before reading the idle agent's RSS`);
        await sleep(left);
      }
      clearInterval(sampler);
      const alive = minion.exitCode === null;
      const minionMb = rssBytes(minion.pid!) / 2 ** 20;
      const bareMb = rssBytes(bare.pid!) / 2 ** 20;
      sample();
      await stopChild(minion);
      await stopChild(bare);
      await broker.close();
      await master.stop();
      const full = seconds >= 600;
      return {
        idle_rss: figure({
          title: `idle minion agent RSS after ${round(seconds / 60, 2)} min`,
          measures: 'RSS of one real saltmq-minion process, connected and idle',
          unit: 'MB',
          better: 'lower',
          value: round(minionMb),
          details: { seconds, still_running: alive, peak_mb: Math.max(...samples.map((s) => s.minion_mb)), samples },
          baseline: { value: round(bareMb), how: 'one bare mqtt.js client process (plain node), connected and subscribed' },
          target: { text: '≤ 50 MB', met: alive && minionMb <= 50 },
          lost: 0,
          duplicates: 0,
          notes: full ? [] : [`shortened: idled ${round(seconds)} s instead of 10 minutes`],
        }),
      };
    },
  };
}
