import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { SILENT_LOGGER } from '@saltmq/common';
import { bindArgs, Registry, type CallContext, type ExecutionFunction } from '../src/loader.js';
import { cmd } from '../src/modules/cmd.js';

function fakeContext(overrides: Partial<CallContext> = {}): CallContext {
  return {
    id: 'web1', grains: {}, opts: { shell: '/bin/sh' }, log: SILENT_LOGGER, jid: undefined, fromJob: false,
    signal: new AbortController().signal, retcode: undefined,
    call: () => Promise.reject(new Error('no nested calls in this test')),
    fireEvent: () => Promise.resolve(), request: () => Promise.resolve({}),
    ...overrides,
  };
}

const registry = new Registry<ExecutionFunction>([cmd], {});
async function call(fun: string, args: unknown[], kwargs: Record<string, unknown> = {}, ctx = fakeContext({ fromJob: true })): Promise<unknown> {
  const impl = registry.get(fun);
  return impl.run(ctx, bindArgs(fun, impl, args, kwargs));
}

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'saltmq-cmd-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

// A killed process may linger as a zombie until its new parent reaps it; a zombie counts as dead.
async function isAlive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return stat !== '' && !/^\d+ \(.*\) Z/.test(stat);
}

test('cmd.run from a job goes through the shell, so redirects and && work', { timeout: 10_000 }, async (t) => {
  const dir = await tempDir(t);
  assert.equal(await call('cmd.run', ['echo a >> f && cat f'], { cwd: dir }), 'a');
  assert.equal(await call('cmd.run', ['echo a >> f && cat f'], { cwd: dir }), 'a\na');
});

test('cmd.run merges stderr into stdout in the order the process wrote them', { timeout: 10_000 }, async () => {
  assert.equal(await call('cmd.run', ['echo one; echo two >&2; echo three; echo four >&2']), 'one\ntwo\nthree\nfour');
});

test('the exit code becomes the job retcode unless ignore_retcode is set', { timeout: 10_000 }, async () => {
  const ctx = fakeContext({ fromJob: true });
  assert.equal(await call('cmd.run', ['echo out; exit 3'], {}, ctx), 'out');
  assert.equal(ctx.retcode, 3);
  await call('cmd.run', ['exit 3'], { ignore_retcode: true }, ctx);
  assert.equal(ctx.retcode, 0);
  await call('cmd.run', ['exit 3'], { success_retcodes: [3] }, ctx);
  assert.equal(ctx.retcode, 0);
});

test('cmd.run_all keeps stdout and stderr apart unless redirect_stderr is set', { timeout: 10_000 }, async () => {
  const result = (await call('cmd.run_all', ['echo out; echo err >&2; exit 2'])) as Record<string, unknown>;
  assert.equal(typeof result.pid, 'number');
  assert.deepEqual({ ...result, pid: 0 }, { pid: 0, retcode: 2, stdout: 'out', stderr: 'err' });
  const merged = (await call('cmd.run_all', ['echo out; echo err >&2'], { redirect_stderr: true })) as Record<string, unknown>;
  assert.deepEqual([merged.stdout, merged.stderr], ['out\nerr', '']);
});

test('cmd.retcode returns the exit code and cmd.run_stdout / run_stderr pick one stream', { timeout: 10_000 }, async () => {
  assert.equal(await call('cmd.retcode', ['exit 5']), 5);
  assert.equal(await call('cmd.run_stdout', ['echo out; echo err >&2']), 'out');
  assert.equal(await call('cmd.run_stderr', ['echo out; echo err >&2']), 'err');
});

test('a timeout kills the command and its children within the timeout', { timeout: 15_000 }, async (t) => {
  const dir = await tempDir(t);
  const started = Date.now();
  const ctx = fakeContext({ fromJob: true });
  const command = 'sleep 30 & echo $! > child.pid; sleep 30';
  const result = (await call('cmd.run_all', [command], { cwd: dir, timeout: 1 }, ctx)) as Record<string, unknown>;
  assert.ok(Date.now() - started < 5000, 'returned soon after the timeout');
  assert.equal(result.stdout, `${command} : Timed out after 1 seconds`);
  assert.equal(result.retcode, 1);
  assert.equal(ctx.retcode, 1);
  const childPid = Number(await readFile(join(dir, 'child.pid'), 'utf8'));
  assert.equal(await isAlive(childPid), false, 'the backgrounded sleep died with its group');
});

test('a timeout on an argv command reports the command as a Python list, like Salt', { timeout: 10_000 }, async () => {
  const out = await call('cmd.run', ['sleep 30'], { timeout: 0.5 }, fakeContext());
  assert.equal(out, "['sleep', '30'] : Timed out after 0.5 seconds");
});

test('killing the job kills the running command and rejects with the abort reason', { timeout: 10_000 }, async (t) => {
  const dir = await tempDir(t);
  const controller = new AbortController();
  const reason = new Error('killed by saltutil.kill_job');
  const pending = call('cmd.run', ['echo $$ > leader.pid; sleep 30'], { cwd: dir }, fakeContext({ fromJob: true, signal: controller.signal }));
  // abort once the command is provably running: its pid file has been written
  const pidFile = join(dir, 'leader.pid');
  for (const deadline = Date.now() + 5000; !/\d\n/.test(await readFile(pidFile, 'utf8').catch(() => '')) && Date.now() < deadline; ) {
    await new Promise((r) => setTimeout(r, 10));
  }
  const leader = Number(await readFile(pidFile, 'utf8'));
  assert.ok(leader > 0 && (await isAlive(leader)), 'the command is running');
  controller.abort(reason);
  await assert.rejects(pending, (error) => error === reason);
  assert.equal(await isAlive(leader), false);
});

test('cwd must be an existing absolute directory', { timeout: 10_000 }, async (t) => {
  const dir = await tempDir(t);
  assert.equal(await call('cmd.run', ['pwd'], { cwd: dir }), dir);
  await assert.rejects(call('cmd.run', ['pwd'], { cwd: join(dir, 'missing') }), {
    code: 'ERR_INVOCATION',
    message: /Specified cwd '.*missing' either not absolute or does not exist/,
  });
  await assert.rejects(call('cmd.run', ['pwd'], { cwd: 'relative' }), { code: 'ERR_INVOCATION' });
});

test('env is merged over the minion environment, as a dict or a list of one-key dicts', { timeout: 10_000 }, async () => {
  assert.equal(await call('cmd.run', ['echo "$FOO-$BAR"'], { env: { FOO: 'x', BAR: 2 } }), 'x-2');
  assert.equal(await call('cmd.run', ['echo "$FOO-$BAR"'], { env: [{ FOO: 'y' }, { BAR: 'z' }] }), 'y-z');
  assert.equal(await call('cmd.run', ['echo "$PATH"']), process.env.PATH);
  assert.equal(await call('cmd.run', ['echo "[$HOME]"'], { env: { FOO: 'x' }, clean_env: true }), '[]');
});

test('stdin is fed to the command and a typed \\n becomes a newline', { timeout: 10_000 }, async () => {
  assert.equal(await call('cmd.run', ['cat'], { stdin: 'one\\ntwo' }), 'one\ntwo');
  assert.equal(await call('cmd.run', ['wc -l'], { stdin: 'a\nb\nc\n' }), '3');
  assert.equal(await call('cmd.run', ['cat'], { stdin: 'raw\\n', stdin_raw_newlines: true }), 'raw\\n');
});

test('outside a job the command is split with shell quoting and no shell runs', { timeout: 10_000 }, async (t) => {
  const dir = await tempDir(t);
  const ctx = fakeContext({ fromJob: false });
  assert.equal(await call('cmd.run', [`printf '%s|' 'a b' "c d" e\\ f`], {}, ctx), 'a b|c d|e f|');
  assert.equal(await call('cmd.run', ['echo a > f'], { cwd: dir }, ctx), 'a > f');
  assert.equal(await call('cmd.run', ['echo a > f'], { cwd: dir, python_shell: true }, ctx), '');
  assert.equal(await call('cmd.shell', ['echo a && echo b'], {}, ctx), 'a\nb');
  await assert.rejects(call('cmd.run', ['no-such-command-here'], {}, ctx), { code: 'ERR_INVOCATION', message: /No such file or directory/ });
  await assert.rejects(call('cmd.run', ["echo 'open"], {}, ctx), { code: 'ERR_INVOCATION', message: 'No closing quotation' });
});

test('a missing command through the shell returns the shell error and retcode 127', { timeout: 10_000 }, async () => {
  const ctx = fakeContext({ fromJob: true });
  assert.match(String(await call('cmd.run', ['no-such-command-here'], {}, ctx)), /not found/);
  assert.equal(ctx.retcode, 127);
});

test('umask applies to files the command creates', { timeout: 10_000 }, async (t) => {
  const dir = await tempDir(t);
  assert.equal(await call('cmd.run', ['umask'], { umask: '077' }), '0077');
  assert.equal(await call('cmd.run', ['touch f; stat -c %a f'], { umask: '027', cwd: dir }), '640');
  await assert.rejects(call('cmd.run', ['true'], { umask: '000' }), { message: 'Zero umask is not allowed.' });
});

test('hide_output blanks the output but keeps the retcode', { timeout: 10_000 }, async () => {
  assert.equal(await call('cmd.run', ['echo secret'], { hide_output: true }), '');
  const all = (await call('cmd.run_all', ['echo secret; exit 1'], { hide_output: true })) as Record<string, unknown>;
  assert.deepEqual([all.stdout, all.stderr, all.retcode], ['', '', 1]);
});

test('cmd.which and cmd.has_exec look executables up on PATH', { timeout: 10_000 }, async () => {
  assert.match(String(await call('cmd.which', ['sh'])), /\/sh$/);
  assert.equal(await call('cmd.which', ['no-such-command-here']), null);
  assert.equal(await call('cmd.has_exec', ['sh']), true);
  assert.match(String(await call('cmd.which_bin', [['no-such-command-here', 'sh']])), /\/sh$/);
});

test('cmd.script runs a file cached through cp.cache_file with its args', { timeout: 10_000 }, async (t) => {
  const dir = await tempDir(t);
  const cached = join(dir, 'cached.sh');
  await writeFile(cached, '#!/bin/sh\necho "args: $1|$2"\necho oops >&2\nexit 4\n');
  const calls: unknown[] = [];
  const ctx = fakeContext({ fromJob: true, call: (fun, args) => (calls.push([fun, args]), Promise.resolve(cached)) });
  const result = (await call('cmd.script', ['salt://scripts/run.sh', "'a b' c"], {}, ctx)) as Record<string, unknown>;
  assert.deepEqual(calls, [['cp.cache_file', ['salt://scripts/run.sh', 'base']]]);
  assert.deepEqual({ ...result, pid: 0 }, { pid: 0, retcode: 4, stdout: 'args: a b|c', stderr: 'oops' });
  assert.equal(ctx.retcode, 4);
});

test('cmd.script refuses non-salt:// sources and reports a failed cache', { timeout: 10_000 }, async () => {
  await assert.rejects(call('cmd.script', ['/etc/passwd']), { code: 'ERR_INVOCATION' });
  const ctx = fakeContext({ call: () => Promise.resolve(false) });
  assert.deepEqual(await call('cmd.script', ['salt://missing.sh'], {}, ctx), { pid: 0, retcode: 1, stdout: '', stderr: '', cache_error: true });
});

test('an unknown runas user is refused', { timeout: 10_000 }, async () => {
  await assert.rejects(call('cmd.run', ['id'], { runas: 'no-such-user-saltmq' }), { code: 'ERR_INVOCATION', message: "User 'no-such-user-saltmq' is not available" });
});

test('runas runs the command as another user', { timeout: 30_000 }, async (t) => {
  const canSwitch = process.getuid?.() === 0 && (await access('/usr/sbin/useradd', constants.X_OK).then(() => true, () => false));
  if (!canSwitch) return t.skip('needs root and useradd to create a throwaway user');
  const name = `saltmqt${process.pid}`;
  execFileSync('useradd', ['--create-home', '--shell', '/bin/sh', name]);
  t.after(() => execFileSync('userdel', ['--remove', name], { stdio: 'ignore' }));
  const out = await call('cmd.run', ['id -un; echo "$HOME"; pwd'], { runas: name });
  assert.equal(out, `${name}\n/home/${name}\n/home/${name}`);
});
