import assert from 'node:assert/strict';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { byId, harness } from './states-harness.js';

test('cmd.run runs the command through the shell and reports pid, retcode, stdout and stderr', { timeout: 10_000 }, async (t) => {
  const h = await harness(t);
  const ret = await h.run('cmd.run', 'echo out; echo err >&2; pwd', { cwd: h.dir, env: [{ GREETING: 'hi' }] });
  assert.equal(ret.result, true);
  assert.equal(ret.comment, 'Command "echo out; echo err >&2; pwd" run');
  assert.deepEqual(Object.keys(ret.changes), ['pid', 'retcode', 'stdout', 'stderr']);
  assert.equal(ret.changes.stdout, `out\n${h.dir}`);
  assert.equal(ret.changes.stderr, 'err');
  assert.equal(ret.changes.retcode, 0);
  const call = h.calls.find((c) => c.fun === 'cmd.run_all')!;
  assert.equal(call.kwargs.python_shell, true);

  const env = await h.run('cmd.run', 'echo $GREETING', { env: { GREETING: 'hello' } });
  assert.equal(env.changes.stdout, 'hello');
  const failed = await h.run('cmd.run', 'exit 3', {});
  assert.equal(failed.result, false);
  assert.equal(failed.changes.retcode, 3);
});

test('cmd.run in test mode says the command would have been executed and does not run it', { timeout: 10_000 }, async (t) => {
  const h = await harness(t);
  const marker = join(h.dir, 'ran');
  const ret = await h.run('cmd.run', `touch ${marker}`, {}, { test: true });
  assert.deepEqual(ret, { name: `touch ${marker}`, result: null, changes: {}, comment: `Command "touch ${marker}" would have been executed` });
  await assert.rejects(stat(marker));
});

test('cmd.run refuses a missing cwd and a malformed env before running anything', { timeout: 10_000 }, async (t) => {
  const h = await harness(t);
  const cwd = join(h.dir, 'nope');
  assert.equal((await h.run('cmd.run', 'true', { cwd })).comment, `Desired working directory "${cwd}" is not available`);
  assert.equal((await h.run('cmd.run', 'true', { env: 'A=1' })).comment, "Invalidly-formatted 'env' parameter. See documentation.");
  assert.equal(h.calls.length, 0);
});

test('cmd.run with stateful reads changed and comment from the last output line or JSON', { timeout: 10_000 }, async (t) => {
  const h = await harness(t);
  const kv = await h.run('cmd.run', "echo working; echo; echo \"changed=yes comment='all done' extra=1\"", { stateful: true });
  assert.equal(kv.result, true);
  assert.equal(kv.comment, 'all done');
  assert.equal(kv.changes.changed, 'yes');
  assert.equal(kv.changes.extra, '1');
  assert.equal(kv.changes.stdout, 'working\n');

  const unchanged = await h.run('cmd.run', 'echo \'{"changed": false, "comment": "nothing to do"}\'', { stateful: true });
  assert.deepEqual(unchanged, { name: unchanged.name, result: true, changes: {}, comment: 'nothing to do' });

  const bad = await h.run('cmd.run', 'echo not-pairs', { stateful: true });
  assert.equal(bad.result, false);
  assert.equal(bad.comment, 'Failed parsing script output! Stdout must be JSON or a line of name=value pairs.');
});

test('cmd.wait does nothing on its own, and mod_watch runs the command', { timeout: 10_000 }, async (t) => {
  const h = await harness(t);
  const marker = join(h.dir, 'ran');
  assert.deepEqual(await h.run('cmd.wait', `touch ${marker}`, {}), { name: `touch ${marker}`, changes: {}, result: true, comment: '' });
  await assert.rejects(stat(marker));
  const fired = await h.run('cmd.mod_watch', `touch ${marker}`, { sfun: 'wait' });
  assert.equal(fired.comment, `Command "touch ${marker}" run`);
  await stat(marker);
  const refused = await h.run('cmd.mod_watch', 'true', { sfun: 'call' });
  assert.equal(refused.comment, 'cmd.call does not work with the watch requisite, please use cmd.wait or cmd.wait_script');
});

test('a cmd.wait watching a file.managed runs only when the file changed', { timeout: 20_000 }, async (t) => {
  const h = await harness(t);
  const conf = join(h.dir, 'app.conf');
  const log = join(h.dir, 'restarts');
  const high = {
    [conf]: { file: ['managed', { contents: 'v1' }], __sls__: 'app', __env__: 'base' },
    restart: { cmd: ['wait', { name: `echo restart >> ${log}` }, { watch: [{ file: conf }] }], __sls__: 'app', __env__: 'base' },
  };
  const first = byId(await h.runHigh(high));
  assert.equal(first.restart!.comment, `Command "echo restart >> ${log}" run`);
  assert.equal(await readFile(log, 'utf8'), 'restart\n');

  const second = byId(await h.runHigh(high));
  assert.deepEqual(second.restart!.changes, {});
  assert.equal(await readFile(log, 'utf8'), 'restart\n');
});

test('cmd.run is skipped by the engine when creates already exists', { timeout: 10_000 }, async (t) => {
  const h = await harness(t);
  const made = join(h.dir, 'made');
  await writeFile(made, '');
  const results = byId(await h.runHigh({ build: { cmd: ['run', { name: 'exit 1' }, { creates: made }], __sls__: 's', __env__: 'base' } }));
  assert.equal(results.build!.result, true);
  assert.equal(results.build!.comment, `${made} exists`);
});

test('cmd.script fetches a salt:// script and runs it with its arguments', { timeout: 10_000 }, async (t) => {
  const h = await harness(t);
  await h.addSaltFile('scripts/greet.sh', '#!/bin/sh\necho "hello $1"\n');
  const ret = await h.run('cmd.script', 'salt://scripts/greet.sh world', {});
  assert.equal(ret.result, true);
  assert.equal(ret.comment, "Command 'salt://scripts/greet.sh world' run");
  assert.equal(ret.changes.stdout, 'hello world');
  const missing = await h.run('cmd.script', 'salt://scripts/none.sh', {});
  assert.equal(missing.result, false);
  assert.equal(missing.comment, "Unable to cache script salt://scripts/none.sh from saltenv 'base'");
});
