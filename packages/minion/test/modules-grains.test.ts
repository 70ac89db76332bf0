import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SILENT_LOGGER } from '@saltmq/common';
import { bindArgs, Registry, type CallContext, type ExecutionFunction, type Grains } from '../src/loader.js';
import { grains as grainsModule } from '../src/modules/grains.js';

function fakeContext(grains: Grains): CallContext {
  return {
    id: 'web1', grains, opts: {}, log: SILENT_LOGGER, jid: undefined, fromJob: false,
    signal: new AbortController().signal, retcode: undefined,
    call: () => Promise.reject(new Error('no nested calls in this test')),
    fireEvent: () => Promise.resolve(), request: () => Promise.resolve({}),
  };
}

const sample = (): Grains => ({
  id: 'web1',
  os: 'Debian',
  os_family: 'Debian',
  num_cpus: 4,
  empty: '',
  ipv4: ['127.0.0.1', '10.0.0.5'],
  roles: [{ name: 'web', port: 80 }, { name: 'db' }],
  pkg: { apache: { name: 'apache2', conf: '/etc/apache2' } },
});

const registry = new Registry<ExecutionFunction>([grainsModule], {});
async function call(ctx: CallContext, fun: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}): Promise<unknown> {
  const impl = registry.get(fun);
  return impl.run(ctx, bindArgs(fun, impl, args, kwargs));
}

test('grains.get walks nested dicts and list indexes with the delimiter', async () => {
  const ctx = fakeContext(sample());
  assert.equal(await call(ctx, 'grains.get', ['os']), 'Debian');
  assert.equal(await call(ctx, 'grains.get', ['pkg:apache:name']), 'apache2');
  assert.equal(await call(ctx, 'grains.get', ['ipv4:1']), '10.0.0.5');
  assert.equal(await call(ctx, 'grains.get', ['ipv4:-1']), '10.0.0.5');
  assert.equal(await call(ctx, 'grains.get', ['roles:port']), 80, 'a name inside a list looks in the dicts it holds');
  assert.equal(await call(ctx, 'grains.get', ['pkg|apache|conf'], { delimiter: '|' }), '/etc/apache2');
});

test('grains.get returns the default, empty string unless given, for missing keys', async () => {
  const ctx = fakeContext(sample());
  assert.equal(await call(ctx, 'grains.get', ['nope']), '');
  assert.equal(await call(ctx, 'grains.get', ['pkg:nginx:name', 'none']), 'none');
  assert.equal(await call(ctx, 'grains.get', ['ipv4:7'], { default: 0 }), 0);
  assert.equal(await call(ctx, 'grains.get', ['os:deeper']), '');
});

test('grains.item returns a dict of the grains asked for', async () => {
  const ctx = fakeContext(sample());
  assert.deepEqual(await call(ctx, 'grains.item', ['os', 'pkg:apache:name', 'missing']), { os: 'Debian', 'pkg:apache:name': 'apache2', missing: '' });
});

test('grains.items returns everything and grains.ls the sorted names', async () => {
  const g = sample();
  const ctx = fakeContext(g);
  assert.deepEqual(await call(ctx, 'grains.items'), g);
  assert.deepEqual(await call(ctx, 'grains.ls'), Object.keys(g).sort());
});

test('grains.has_value is true for existing grains even when their value is empty', async () => {
  const ctx = fakeContext(sample());
  assert.equal(await call(ctx, 'grains.has_value', ['empty']), true);
  assert.equal(await call(ctx, 'grains.has_value', ['pkg:apache']), true);
  assert.equal(await call(ctx, 'grains.has_value', ['pkg:nginx']), false);
});

test('grains.setval changes the running grains and returns what it set', async () => {
  const g = sample();
  const ctx = fakeContext(g);
  assert.deepEqual(await call(ctx, 'grains.setval', ['role', 'web']), { role: 'web' });
  assert.equal(await call(ctx, 'grains.get', ['role']), 'web');
  assert.deepEqual(await call(ctx, 'grains.setvals', [{ a: 1, b: [2] }]), { a: 1, b: [2] });
  assert.deepEqual([g.a, g.b], [1, [2]]);
  await call(ctx, 'grains.delval', ['a']);
  assert.equal(g.a, null);
  await call(ctx, 'grains.delkey', ['b']);
  assert.equal('b' in g, false);
});

test('grains.filter_by picks the entry matching a grain, with default, base and merge', async () => {
  const ctx = fakeContext(sample());
  const lookup = { Debian: { pkg: 'apache2' }, 'Red*': { pkg: 'httpd' }, default: { pkg: 'apache' }, common: { port: 80, pkg: 'x' } };
  assert.deepEqual(await call(ctx, 'grains.filter_by', [lookup]), { pkg: 'apache2' });
  assert.deepEqual(await call(ctx, 'grains.filter_by', [lookup, 'os_family', null, 'default', 'common']), { port: 80, pkg: 'apache2' });
  assert.deepEqual(await call(ctx, 'grains.filter_by', [lookup, 'id']), { pkg: 'apache' });
  assert.deepEqual(await call(ctx, 'grains.filter_by', [lookup], { merge: { pkg: 'nginx' } }), { pkg: 'nginx' });
  assert.deepEqual(await call(ctx, 'grains.filter_by', [{ web1: 'yes' }, 'id']), 'yes');
});
