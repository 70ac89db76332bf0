/**
 * `npm start`'s lab, run as a user runs it but told to stop once the seed scenario is done
 * (SALTMQ_LAB_EXIT=1): every Min* minion provisioned, web-1 left pending, and no process left behind.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const LAB_RUN = join(ROOT, 'lab', 'run');
const LAB_SCRIPT = join(ROOT, 'scripts', 'lab.mjs');

/** Command lines of running processes that belong to the lab (its script, or anything under lab/run). */
async function labProcesses(): Promise<string[]> {
  const { stdout } = await promisify(execFile)('ps', ['-eo', 'pid=,args=']);
  return stdout.split('\n').filter((line) => line.includes(LAB_RUN) || line.includes(LAB_SCRIPT));
}

test('the lab provisions every Min* minion, leaves web-1 pending, prints the summary and stops every process it started', { timeout: 150_000 }, async (t) => {
  assert.deepEqual(await labProcesses(), [], 'no lab is running already (it would share lab/run)');
  const lab = spawn(process.execPath, [LAB_SCRIPT], { cwd: ROOT, env: { ...process.env, SALTMQ_LAB_EXIT: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => {
    if (lab.exitCode === null && lab.signalCode === null) lab.kill('SIGTERM'); // the lab stops its children on SIGTERM
  });
  let out = '';
  lab.stdout.on('data', (d: Buffer) => (out += d.toString()));
  lab.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const [code] = (await once(lab, 'exit')) as [number | null];
  assert.equal(code, 0, out);

  const summary = out.slice(out.indexOf('\nSummary\n'));
  assert.match(summary, /^ {2}minion +key +provisioned +first boot → provisioned$/m);
  for (const id of ['Minion-1', 'Minion-2', 'Minion-3']) {
    assert.match(summary, new RegExp(`^  ${id} +accepted +yes +\\d+\\.\\d s *$`, 'm'), `${id} row`);
  }
  assert.match(summary, /^ {2}web-1 +pending +no +- *$/m);
  assert.match(out, /all lab processes stopped\.\n$/);
  // the event stream was printed while it happened: the reactor's key acceptance among it
  assert.match(out, /salt\/key +\{"result":true,"act":"accept","id":"Minion-1"\}/);

  // rows are padded to the widest cell, hence ' *$' above
  // the lab waited for its children before exiting; give the kernel a moment to reap the last ones
  const deadline = Date.now() + 5000;
  let left = await labProcesses();
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    left = await labProcesses();
  }
  assert.deepEqual(left, [], 'no lab process is left running');
});
