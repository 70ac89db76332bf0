/**
 * The bench's quick mode still measures every figure and loses nothing. Timings are not asserted:
 * they depend on the machine and on whatever else runs on it; lost or doubled jobs and events do not.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Results } from '../../bench/lib/report.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const FIGURES = ['ping', 'ping_big', 'memory', 'bus', 'reactor', 'onboarding', 'offline', 'idle_rss'];

test('the quick bench produces every figure with no lost or doubled jobs and events', { timeout: 240_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'saltmq-bench-smoke-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const output = join(dir, 'results.json');
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--quick', '--output', output], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  // SIGINT runs the bench's own cleanup (its masters, fleet processes and temp dirs)
  t.after(() => void (child.exitCode === null && child.kill('SIGINT')));
  let log = '';
  child.stdout.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr.on('data', (d: Buffer) => (log += d.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, 0, `the bench failed:\n${log.slice(-4000)}`);

  const results = JSON.parse(await readFile(output, 'utf8')) as Results;
  assert.deepEqual(results.failures, {});
  assert.ok(results.machine.cores > 0 && results.machine.node.startsWith('v'));
  assert.match(results.commit, /^[0-9a-f]{40}$|^unknown$/);
  for (const key of FIGURES) {
    const f = results.figures[key];
    assert.ok(f, `figure '${key}' is missing`);
    assert.equal(typeof f.value, 'number', `figure '${key}' has no value`);
    assert.ok(f.baseline && typeof f.baseline.value === 'number', `figure '${key}' has no baseline`);
    assert.equal(f.lost, 0, `figure '${key}' lost ${f.lost}`);
    assert.equal(f.duplicates, 0, `figure '${key}' had ${f.duplicates} duplicates`);
  }
  const offline = results.figures.offline!.details as { expected: number; delivered: number; returns: number; twice: number };
  assert.equal(offline.delivered, offline.expected);
  assert.equal(offline.returns, offline.expected);
  assert.equal(offline.twice, 0);
});
