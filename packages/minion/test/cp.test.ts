import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { CodedError, SILENT_LOGGER } from '@saltmq/common';
import { FileClient } from '../src/fileclient/index.js';
import { bindArgs, Registry, type CallContext, type ExecutionFunction } from '../src/loader.js';
import { makeCpModule } from '../src/modules/cp.js';
// The master's real file server, so cp.* runs against the other half of salt://.
import { registerFileServerMethods } from '../../master/src/fileserver/index.js';
import type { RequestMethod } from '../../master/src/requests/router.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function fakeContext(overrides: Partial<CallContext> = {}): CallContext {
  return {
    id: 'web1', grains: { os: 'Debian' }, opts: {}, log: SILENT_LOGGER, jid: undefined, fromJob: true,
    signal: new AbortController().signal, retcode: undefined,
    call: () => Promise.reject(new Error('no nested calls in this test')),
    fireEvent: () => Promise.resolve(), request: () => Promise.reject(new Error('cp goes through its FileClient')),
    ...overrides,
  };
}

async function put(path: string, content: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, content);
}

/** A master with base and dev roots behind a JSON round trip, a FileClient on it, and cp over both. */
async function setup(t: TestContext, answer?: (method: string, params: Record<string, unknown>) => unknown) {
  const dir = await mkdtemp(join(tmpdir(), 'saltmq-cp-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await put(join(dir, 'srv', 'motd'), 'hello from base\n');
  await put(join(dir, 'srv', 'web', 'nginx.conf'), 'worker_processes 4;\n');
  await put(join(dir, 'srv', 'web', 'site', 'index.html'), '<h1>hi</h1>\n');
  await put(join(dir, 'dev', 'motd'), 'hello from dev\n');
  const methods = new Map<string, RequestMethod>();
  registerFileServerMethods({ register: (name, method) => methods.set(name, method) }, {
    fileRoots: { base: [join(dir, 'srv')], dev: [join(dir, 'dev')] },
    log: SILENT_LOGGER,
  });
  const calls: string[] = [];
  const request = async (method: string, params: Record<string, unknown>): Promise<unknown> => {
    calls.push(method);
    if (answer) return answer(method, params);
    try {
      const result = await methods.get(method)!(JSON.parse(JSON.stringify(params)) as Record<string, unknown>, { kind: 'minion', id: 'web1' });
      return JSON.parse(JSON.stringify(result ?? null)) as unknown;
    } catch (error) {
      if (error instanceof CodedError) throw Object.assign(new Error(error.message), { code: error.code });
      throw error;
    }
  };
  const cachedir = join(dir, 'cache');
  const client = new FileClient({ request, cachedir, log: SILENT_LOGGER });
  const registry = new Registry<ExecutionFunction>([makeCpModule(() => client)], {});
  const call = (fun: string, args: unknown[], kwargs: Record<string, unknown> = {}, ctx = fakeContext()) => {
    const impl = registry.get(fun);
    return Promise.resolve(impl.run(ctx, bindArgs(fun, impl, args, kwargs)));
  };
  return { dir, cachedir, call, calls };
}

test('cp.cache_file returns the path under cachedir/files/<saltenv>/ and False for a missing file', { timeout: 10_000 }, async (t) => {
  const { cachedir, call } = await setup(t);
  const path = await call('cp.cache_file', ['salt://web/nginx.conf']);
  assert.equal(path, join(cachedir, 'files', 'base', 'web', 'nginx.conf'));
  assert.equal(await readFile(path as string, 'utf8'), 'worker_processes 4;\n');
  assert.equal(await call('cp.cache_file', ['salt://web/missing.conf']), false);
  assert.equal(await call('cp.cache_file', ['/etc/hostname']), '/etc/hostname');
});

test('a ?saltenv= in the URL overrides the saltenv argument', { timeout: 10_000 }, async (t) => {
  const { cachedir, call } = await setup(t);
  const path = await call('cp.cache_file', ['salt://motd?saltenv=dev'], { saltenv: 'base' });
  assert.equal(path, join(cachedir, 'files', 'dev', 'motd'));
  assert.equal(await call('cp.get_file_str', ['salt://motd'], { saltenv: 'dev' }), 'hello from dev\n');
  assert.equal(await call('cp.get_file_str', ['salt://motd'], {}, fakeContext({ opts: { saltenv: 'dev' } })), 'hello from dev\n');
});

test('cp.get_file copies to dest, keeps the name for a directory dest and creates directories only with makedirs', { timeout: 10_000 }, async (t) => {
  const { dir, call } = await setup(t);
  const out = join(dir, 'out');
  await mkdir(out);
  assert.equal(await call('cp.get_file', ['salt://motd', join(out, 'motd.txt')]), join(out, 'motd.txt'));
  assert.equal(await readFile(join(out, 'motd.txt'), 'utf8'), 'hello from base\n');
  assert.equal(await call('cp.get_file', ['salt://web/nginx.conf', out]), join(out, 'nginx.conf'));
  assert.equal(await call('cp.get_file', ['salt://motd', join(out, 'a', 'b', 'motd')]), false);
  assert.equal(await call('cp.get_file', ['salt://motd', join(out, 'a', 'b', 'motd')], { makedirs: true }), join(out, 'a', 'b', 'motd'));
  assert.equal(await call('cp.get_file', ['salt://nope', join(out, 'nope')]), '');
  assert.equal(await call('cp.get_file', ['salt://{{ grains.os }}.txt', join(out, '{{ grains.os }}')], { template: 'jinja' }), '');
  await put(join(dir, 'srv', 'Debian.txt'), 'debian only\n');
  assert.equal(await call('cp.get_file', ['salt://{{ grains.os }}.txt', join(out, '{{ grains.os }}')], { template: 'jinja' }), join(out, 'Debian'));
  await assert.rejects(call('cp.get_file', ['salt://motd', out], { template: 'mako' }), { code: 'ERR_INVOCATION' });
});

test('cp.get_file_str returns the contents, or False for a missing file', { timeout: 10_000 }, async (t) => {
  const { call } = await setup(t);
  assert.equal(await call('cp.get_file_str', ['salt://web/site/index.html']), '<h1>hi</h1>\n');
  assert.equal(await call('cp.get_file_str', ['salt://web/site/missing.html']), false);
});

test("cp.hash_file returns the master's sha256, an empty string for a missing file, and hashes local files", { timeout: 10_000 }, async (t) => {
  const { dir, call } = await setup(t);
  assert.deepEqual(await call('cp.hash_file', ['salt://motd']), { hash_type: 'sha256', hsum: sha256('hello from base\n') });
  assert.equal(await call('cp.hash_file', ['salt://nope']), '');
  assert.deepEqual(await call('cp.hash_file', [join(dir, 'dev', 'motd')]), { hsum: sha256('hello from dev\n'), hash_type: 'sha256' });
  assert.deepEqual(await call('cp.hash_file', [join(dir, 'nope')]), {});
});

test('cp.is_cached gives the cached path only after caching, without asking the master', { timeout: 10_000 }, async (t) => {
  const { cachedir, call, calls } = await setup(t);
  assert.equal(await call('cp.is_cached', ['salt://motd']), '');
  await call('cp.cache_file', ['salt://motd']);
  const before = calls.length;
  assert.equal(await call('cp.is_cached', ['salt://motd']), join(cachedir, 'files', 'base', 'motd'));
  assert.equal(await call('cp.is_cached', ['salt://motd?saltenv=dev']), '');
  assert.equal(calls.length, before);
});

test("cp.list_master lists files with Salt's string prefix filter, and directories and saltenvs list too", { timeout: 10_000 }, async (t) => {
  const { call } = await setup(t);
  assert.deepEqual(await call('cp.list_master', []), ['motd', 'web/nginx.conf', 'web/site/index.html']);
  assert.deepEqual(await call('cp.list_master', [], { prefix: 'web/s' }), ['web/site/index.html']);
  assert.deepEqual(await call('cp.list_master', ['dev']), ['motd']);
  assert.deepEqual(await call('cp.list_master_dirs', []), ['.', 'web', 'web/site']);
  assert.deepEqual(await call('cp.envs', []), ['base', 'dev']);
});

test('cp.cache_files caches a comma-separated list and marks each miss False', { timeout: 10_000 }, async (t) => {
  const { cachedir, call } = await setup(t);
  assert.deepEqual(await call('cp.cache_files', ['salt://motd,salt://nope,salt://motd?saltenv=dev']), [
    join(cachedir, 'files', 'base', 'motd'),
    false,
    join(cachedir, 'files', 'dev', 'motd'),
  ]);
});

test('traversal paths and odd saltenvs are refused on the minion before the master is asked', { timeout: 10_000 }, async (t) => {
  const { call, calls } = await setup(t);
  for (const url of ['salt://../etc/passwd', 'salt://a/../../x', 'salt:///etc/passwd', 'salt://a\0b', 'salt://motd?saltenv=..', 'salt://motd?saltenv=a/b']) {
    await assert.rejects(call('cp.cache_file', [url]), { code: 'ERR_FILE_SERVER' }, url);
    await assert.rejects(call('cp.hash_file', [url]), { code: 'ERR_FILE_SERVER' }, url);
  }
  assert.deepEqual(calls, []);
});

test('a symlink planted in the cache cannot carry a write outside cachedir/files/<saltenv>', { timeout: 10_000 }, async (t) => {
  const { dir, cachedir, call } = await setup(t);
  const outside = join(dir, 'outside');
  await mkdir(outside);
  await mkdir(join(cachedir, 'files', 'base'), { recursive: true });
  await symlink(outside, join(cachedir, 'files', 'base', 'web'));
  await assert.rejects(call('cp.cache_file', ['salt://web/nginx.conf']), { code: 'ERR_FILE_SERVER' });
  await assert.rejects(call('cp.cache_file', ['salt://web/site/index.html']), { code: 'ERR_FILE_SERVER' });
  await symlink(outside, join(cachedir, 'files', 'dev'));
  await assert.rejects(call('cp.cache_file', ['salt://motd?saltenv=dev']), { code: 'ERR_FILE_SERVER' });
  assert.deepEqual(await readdir(outside), []);
});

test('odd replies from the master are refused and leave nothing in the cache', { timeout: 10_000 }, async (t) => {
  const stat = { size: 5, mode: 0o644, hash: sha256('hello'), hash_type: 'sha256', mtime: 1 };
  const replies: Record<string, unknown>[] = [
    { 'file.stat': { ...stat, hash: 'not-a-hash' } },
    { 'file.stat': stat, 'file.read': { data: Buffer.from('hello and more').toString('base64'), eof: true } },
    { 'file.stat': stat, 'file.read': { data: 'aGVsbG8=', eof: 'yes' } },
    { 'file.stat': stat, 'file.read': { data: Buffer.from('HELLO').toString('base64'), eof: true } },
  ];
  for (const reply of replies) {
    const { cachedir, call } = await setup(t, (method) => reply[method]);
    await assert.rejects(call('cp.cache_file', ['salt://motd']), { code: 'ERR_FILE_SERVER' }, JSON.stringify(reply));
    assert.deepEqual(await readdir(join(cachedir, 'files', 'base')).catch(() => []), []);
  }
});

test('unsupported URL schemes and relative local paths are refused by name', { timeout: 10_000 }, async (t) => {
  const { call } = await setup(t);
  await assert.rejects(call('cp.cache_file', ['https://example.com/x']), { code: 'ERR_INVOCATION' });
  await assert.rejects(call('cp.cache_file', ['relative/path']), { code: 'ERR_INVOCATION' });
  await assert.rejects(call('cp.get_file', ['/etc/hostname', '/tmp/x']), { code: 'ERR_INVOCATION' });
});
