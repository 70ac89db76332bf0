import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SILENT_LOGGER } from '@saltmq/common';
import { bindArgs, fn, Registry, type CallContext, type ExecutionFunction, type Module } from '../src/loader.js';
import { makeSysModule } from '../src/modules/sys.js';

const ctx: CallContext = {
  id: 'web1', grains: {}, opts: {}, log: SILENT_LOGGER, jid: undefined, fromJob: false,
  signal: new AbortController().signal, retcode: undefined,
  call: () => Promise.reject(new Error('no nested calls in this test')),
  fireEvent: () => Promise.resolve(), request: () => Promise.resolve({}),
};

const fake = {
  name: 'test',
  functions: {
    ping: fn([], 'Ping doc', () => true),
    arg: fn([], 'Arg doc', () => null, { varargs: true, anyKwargs: true }),
    echo: fn(['text'], 'Echo doc', () => null, { required: 1 }),
  },
} satisfies Module<ExecutionFunction>;
const sysctl = { name: 'sysctl', functions: { get: fn(['name'], 'Sysctl doc', () => null) } } satisfies Module<ExecutionFunction>;

// The sys module is part of the registry it describes, so it reads the registry through a getter.
const registry: Registry<ExecutionFunction> = new Registry([fake, sysctl, makeSysModule(() => registry)], {});
async function call(fun: string, args: unknown[] = []): Promise<unknown> {
  const impl = registry.get(fun);
  return impl.run(ctx, bindArgs(fun, impl, args, {}));
}

test('sys.list_functions lists everything, a module, or a glob', async () => {
  assert.deepEqual(await call('sys.list_functions', ['test']), ['test.arg', 'test.echo', 'test.ping']);
  assert.deepEqual(await call('sys.list_functions', ['test.p*']), ['test.ping']);
  assert.deepEqual(await call('sys.list_functions', ['sys']), ['sys.argspec', 'sys.doc', 'sys.list_functions', 'sys.list_modules', 'sys.reload_modules']);
  assert.deepEqual(await call('sys.list_functions', ['sys.list_*', 'test.echo']), ['sys.list_functions', 'sys.list_modules', 'test.echo']);
  assert.deepEqual(await call('sys.list_functions'), registry.names());
});

test('sys.list_modules lists module names, or those matching', async () => {
  assert.deepEqual(await call('sys.list_modules'), ['sys', 'sysctl', 'test']);
  assert.deepEqual(await call('sys.list_modules', ['sys']), ['sys']);
  assert.deepEqual(await call('sys.list_modules', ['s*']), ['sys', 'sysctl']);
});

test("sys.doc maps function names to their docs; 'sys' does not include sysctl", async () => {
  assert.deepEqual(await call('sys.doc', ['test.ping']), { 'test.ping': 'Ping doc' });
  assert.deepEqual(Object.keys((await call('sys.doc', ['sys'])) as object), ['sys.argspec', 'sys.doc', 'sys.list_functions', 'sys.list_modules', 'sys.reload_modules']);
  assert.deepEqual(Object.keys((await call('sys.doc', ['*.get'])) as object), ['sysctl.get']);
  assert.equal(Object.keys((await call('sys.doc')) as object).length, registry.names().length);
});

test('sys.argspec reports parameters, *args and **kwargs as Salt does', async () => {
  assert.deepEqual(await call('sys.argspec', ['test.arg']), { 'test.arg': { args: null, defaults: null, kwargs: true, varargs: true } });
  assert.deepEqual(await call('sys.argspec', ['test.echo']), { 'test.echo': { args: ['text'], defaults: null, kwargs: null, varargs: null } });
});
