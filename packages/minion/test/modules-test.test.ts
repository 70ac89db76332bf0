import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SILENT_LOGGER } from '@saltmq/common';
import { bindArgs, Registry, type CallContext, type ExecutionFunction } from '../src/loader.js';
import { test as testModule } from '../src/modules/test.js';
import { SALTMQ_VERSION } from '../src/grains/version.js';

function fakeContext(overrides: Partial<CallContext> = {}): CallContext {
  return {
    id: 'web1', grains: {}, opts: {}, log: SILENT_LOGGER, jid: undefined, fromJob: false,
    signal: new AbortController().signal, retcode: undefined,
    call: () => Promise.reject(new Error('no nested calls in this test')),
    fireEvent: () => Promise.resolve(), request: () => Promise.resolve({}),
    ...overrides,
  };
}

const registry = new Registry<ExecutionFunction>([testModule], {});
async function call(fun: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}, ctx = fakeContext()): Promise<unknown> {
  const impl = registry.get(fun);
  return impl.run(ctx, bindArgs(fun, impl, args, kwargs));
}

test('test.ping returns true and test.echo returns its argument unchanged', async () => {
  assert.equal(await call('test.ping'), true);
  assert.equal(await call('test.echo', [42]), 42);
  assert.deepEqual(await call('test.echo', [{ a: [1] }]), { a: [1] });
});

test('test.arg returns positional args and kwargs in Salt shape', async () => {
  assert.deepEqual(await call('test.arg', [1, 'two', 3.1], { txt: 'hello', wow: { a: 1 } }), {
    args: [1, 'two', 3.1],
    kwargs: { txt: 'hello', wow: { a: 1 } },
  });
  assert.deepEqual(await call('test.arg'), { args: [], kwargs: {} });
});

test('test.kwarg returns the keyword arguments without the publication keys', async () => {
  assert.deepEqual(await call('test.kwarg', [], { num: 1, __pub_jid: '20240101' }), { num: 1 });
});

test('test.arg_type reports Python type names', async () => {
  assert.deepEqual(await call('test.arg_type', [1, 'x', 1.5, null, true], { l: [1] }), {
    args: ["<class 'int'>", "<class 'str'>", "<class 'float'>", "<class 'NoneType'>", "<class 'bool'>"],
    kwargs: { l: "<class 'list'>" },
  });
});

test('test.version is the saltmq version', async () => {
  assert.equal(await call('test.version'), SALTMQ_VERSION);
  assert.match(String(await call('test.versions_report')), /^Salt Version:\n\s+Salt: 0\.1\.0/);
});

test('test.fib returns the num-th Fibonacci number and the time taken', async () => {
  const [value, seconds] = (await call('test.fib', [10])) as [number, number];
  assert.equal(value, 55);
  assert.equal(typeof seconds, 'number');
  assert.deepEqual(((await call('test.fib', [1])) as unknown[])[0], 1);
  await assert.rejects(call('test.fib', [-1]), { code: 'ERR_INVOCATION' });
});

test('test.collatz returns the sequence down to 1', async () => {
  assert.deepEqual(((await call('test.collatz', [3])) as unknown[])[0], [3, 10, 5, 16, 8, 4, 2]);
});

test('test.retcode sets the job retcode, 42 by default', async () => {
  const ctx = fakeContext();
  assert.equal(await call('test.retcode', [], {}, ctx), true);
  assert.equal(ctx.retcode, 42);
  await call('test.retcode', [3], {}, ctx);
  assert.equal(ctx.retcode, 3);
});

test('test.exception raises with the given message', async () => {
  await assert.rejects(call('test.exception', ['Oh noes!']), { message: 'Oh noes!' });
  await assert.rejects(call('test.exception'), { message: 'Test Exception' });
});

test('test.true and test.false return booleans, test.outputter returns its data', async () => {
  assert.equal(await call('test.true'), true);
  assert.equal(await call('test.false'), false);
  assert.deepEqual(await call('test.outputter', [{ a: 1 }]), { a: 1 });
});

test('test.sleep returns true after sleeping', { timeout: 5000 }, async () => {
  assert.equal(await call('test.sleep', [0]), true);
});

test('test.sleep ends early with the abort reason when the job is killed', { timeout: 5000 }, async () => {
  const controller = new AbortController();
  const reason = new Error('killed by saltutil.kill_job');
  const pending = call('test.sleep', [30], {}, fakeContext({ signal: controller.signal }));
  controller.abort(reason);
  await assert.rejects(pending, (error) => error === reason);
});

test('test.random_hash returns a hex digest of the configured hash type', async () => {
  assert.match(String(await call('test.random_hash')), /^[0-9a-f]{64}$/);
  assert.match(String(await call('test.random_hash', [], { hash_type: 'md5' })), /^[0-9a-f]{32}$/);
});

test('test.cross_test calls another function through the context', async () => {
  const ctx = fakeContext({ call: (fun, args) => Promise.resolve({ fun, args }) });
  assert.deepEqual(await call('test.cross_test', ['grains.get', ['os']], {}, ctx), { fun: 'grains.get', args: ['os'] });
});
