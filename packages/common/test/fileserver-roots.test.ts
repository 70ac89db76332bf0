import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { SILENT_LOGGER } from '../src/log.js';
import { chunkBytesFor, DEFAULT_CHUNK_BYTES, FileServer, isInside } from '../src/fileserver/index.js';

const sha256 = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'saltmq-fileserver-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function put(path: string, content: string | Buffer): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, content);
}

// A tree with a root, a sibling that shares the root's name as a prefix, and a secret outside both.
async function tree(t: TestContext, chunkBytes?: number) {
  const dir = await tempDir(t);
  const root = join(dir, 'srv');
  await put(join(root, 'top.sls'), 'base:\n  "*": [web]\n');
  await put(join(root, 'web', 'init.sls'), 'nginx: pkg.installed\n');
  await put(join(dir, 'secret'), 'the master key');
  await put(join(dir, 'srvx', 'secret'), 'next door');
  const server = new FileServer({ fileRoots: { base: [root] }, log: SILENT_LOGGER, ...(chunkBytes ? { chunkBytes } : {}) });
  return { dir, root, server };
}

const refused = { code: 'ERR_FILE_SERVER' };

test('a file under the root is found by salt:// URL and by plain relative path', { timeout: 10_000 }, async (t) => {
  const { server } = await tree(t);
  const byUrl = await server.stat('salt://web/init.sls', 'base');
  assert.equal(byUrl?.size, 'nginx: pkg.installed\n'.length);
  assert.equal(byUrl?.hash, sha256('nginx: pkg.installed\n'));
  assert.equal(byUrl?.hash_type, 'sha256');
  assert.equal(typeof byUrl?.mode, 'number');
  assert.deepEqual(await server.stat('web//./init.sls', 'base'), byUrl);
});

test('absolute paths are refused', { timeout: 10_000 }, async (t) => {
  const { server } = await tree(t);
  for (const path of ['/etc/passwd', 'salt:///etc/passwd', '//etc/passwd']) {
    await assert.rejects(server.stat(path, 'base'), refused, path);
    await assert.rejects(server.read(path, 'base', 0, 10), refused, path);
  }
});

test('dot-dot is refused as any path component and anywhere Salt refuses it', { timeout: 10_000 }, async (t) => {
  const { server } = await tree(t);
  for (const path of ['../etc/passwd', 'a/../../x', 'web/../top.sls', 'web/..', '..', 'salt://../secret', 'x../secret']) {
    await assert.rejects(server.stat(path, 'base'), refused, path);
  }
});

test('NUL bytes, backslashes and empty paths are refused', { timeout: 10_000 }, async (t) => {
  const { server } = await tree(t);
  for (const path of ['top.sls\0.png', 'web\\..\\..\\secret', '', '.', './', 'salt://', 'salt://?saltenv=base']) {
    await assert.rejects(server.stat(path, 'base'), refused, JSON.stringify(path));
  }
  await assert.rejects(server.stat(42, 'base'), refused);
});

test('a symlink pointing outside the root is refused, directly or through a linked directory', { timeout: 10_000 }, async (t) => {
  const { dir, root, server } = await tree(t);
  await symlink(join(dir, 'secret'), join(root, 'leak'));
  await symlink(dir, join(root, 'up'));
  await symlink('../../secret', join(root, 'web', 'relative-leak'));
  for (const path of ['leak', 'up/secret', 'web/relative-leak']) {
    await assert.rejects(server.stat(path, 'base'), refused, path);
    await assert.rejects(server.read(path, 'base', 0, 100), refused, path);
  }
});

test('a sibling directory that shares the root name as a prefix is outside the root', { timeout: 10_000 }, async (t) => {
  const { root, server } = await tree(t);
  await symlink('../srvx/secret', join(root, 'neighbour'));
  await assert.rejects(server.stat('neighbour', 'base'), refused);
  assert.equal(isInside('/tmp/x/srv', '/tmp/x/srvx/secret'), false);
  assert.equal(isInside('/tmp/x/srv', '/tmp/x/srv'), false);
  assert.equal(isInside('/tmp/x/srv', '/tmp/x/srv/a'), true);
});

test('a symlink that stays inside the root is served', { timeout: 10_000 }, async (t) => {
  const { root, server } = await tree(t);
  await symlink('web/init.sls', join(root, 'alias.sls'));
  await symlink('web', join(root, 'site'));
  assert.equal((await server.stat('alias.sls', 'base'))?.hash, sha256('nginx: pkg.installed\n'));
  assert.equal((await server.stat('site/init.sls', 'base'))?.hash, sha256('nginx: pkg.installed\n'));
});

test('an unknown saltenv is refused, and so is a saltenv that is not a plain name', { timeout: 10_000 }, async (t) => {
  const { server } = await tree(t);
  for (const saltenv of ['prod', '..', '.', 'base/../base', 'a\\b', '', 7]) {
    await assert.rejects(server.stat('top.sls', saltenv), refused, String(saltenv));
  }
});

test('a ?saltenv= in the URL overrides the saltenv argument', { timeout: 10_000 }, async (t) => {
  const dir = await tempDir(t);
  await put(join(dir, 'base', 'motd'), 'base motd');
  await put(join(dir, 'dev', 'motd'), 'dev motd');
  const server = new FileServer({ fileRoots: { base: [join(dir, 'base')], dev: [join(dir, 'dev')] }, log: SILENT_LOGGER });
  assert.equal((await server.stat('salt://motd?saltenv=dev', 'base'))?.hash, sha256('dev motd'));
  assert.equal((await server.stat('salt://motd', 'dev'))?.hash, sha256('dev motd'));
  assert.equal((await server.stat('motd', undefined))?.hash, sha256('base motd'));
  await assert.rejects(server.stat('salt://motd?saltenv=../dev', 'base'), refused);
});

test('with several roots the first root holding the file wins, and a directory does not shadow a file', { timeout: 10_000 }, async (t) => {
  const dir = await tempDir(t);
  const [first, second] = [join(dir, 'one'), join(dir, 'two')];
  await put(join(first, 'motd'), 'from one');
  await put(join(second, 'motd'), 'from two');
  await put(join(first, 'conf', 'inner'), 'a directory named conf');
  await put(join(second, 'conf'), 'a file named conf');
  await put(join(second, 'only-two'), 'only in two');
  const server = new FileServer({ fileRoots: { base: [join(dir, 'missing'), first, second] }, log: SILENT_LOGGER });
  assert.equal((await server.stat('motd', 'base'))?.hash, sha256('from one'));
  assert.equal((await server.stat('conf', 'base'))?.hash, sha256('a file named conf'));
  assert.equal((await server.stat('only-two', 'base'))?.hash, sha256('only in two'));
});

test('an escaping symlink in the first root falls through to a later root, as in Salt', { timeout: 10_000 }, async (t) => {
  const dir = await tempDir(t);
  await put(join(dir, 'secret'), 'outside');
  await put(join(dir, 'two', 'motd'), 'from two');
  await mkdir(join(dir, 'one'));
  await symlink(join(dir, 'secret'), join(dir, 'one', 'motd'));
  const server = new FileServer({ fileRoots: { base: [join(dir, 'one'), join(dir, 'two')] }, log: SILENT_LOGGER });
  assert.equal((await server.stat('motd', 'base'))?.hash, sha256('from two'));
});

test('a missing file or a directory stats and reads as null', { timeout: 10_000 }, async (t) => {
  const { server } = await tree(t);
  assert.equal(await server.stat('nope.sls', 'base'), null);
  assert.equal(await server.read('nope.sls', 'base', 0, 10), null);
  assert.equal(await server.stat('web', 'base'), null);
  assert.equal(await server.read('web/', 'base', 0, 10), null);
});

test('reads return exactly the asked range, capped at chunkBytes, with eof only at the end', { timeout: 10_000 }, async (t) => {
  const { root, server } = await tree(t, 1000);
  const content = Buffer.from(Array.from({ length: 2500 }, (_, i) => i % 251));
  await put(join(root, 'blob'), content);
  const read = async (offset: number, length: number) => {
    const chunk = await server.read('blob', 'base', offset, length);
    return { bytes: Buffer.from(chunk!.data, 'base64'), eof: chunk!.eof };
  };
  assert.deepEqual(await read(0, 5000), { bytes: content.subarray(0, 1000), eof: false });
  assert.deepEqual(await read(1000, 10), { bytes: content.subarray(1000, 1010), eof: false });
  assert.deepEqual(await read(2000, 1000), { bytes: content.subarray(2000), eof: true });
  assert.deepEqual(await read(2500, 1000), { bytes: Buffer.alloc(0), eof: true });
  assert.deepEqual(await read(9999, 1000), { bytes: Buffer.alloc(0), eof: true });
});

test('a changed file gets a new hash even when its size stays the same', { timeout: 10_000 }, async (t) => {
  const { root, server } = await tree(t);
  await put(join(root, 'motd'), 'version 1');
  assert.equal((await server.stat('motd', 'base'))?.hash, sha256('version 1'));
  await put(join(root, 'motd'), 'version 2');
  assert.equal((await server.stat('motd', 'base'))?.hash, sha256('version 2'));
});

test('file listing gives files only, sorted and deduplicated across roots, and leaves out what escapes', { timeout: 10_000 }, async (t) => {
  const { dir, root } = await tree(t);
  const other = join(dir, 'other');
  await put(join(other, 'top.sls'), 'shadowed');
  await put(join(other, 'db', 'init.sls'), 'postgres: pkg.installed');
  await symlink(join(dir, 'secret'), join(root, 'leak'));
  await symlink(dir, join(root, 'up'));
  await symlink('web', join(root, 'site'));
  await symlink('.', join(root, 'web', 'loop'));
  const server = new FileServer({ fileRoots: { base: [root, other] }, log: SILENT_LOGGER });
  assert.deepEqual(await server.list('base', ''), ['db/init.sls', 'site/init.sls', 'top.sls', 'web/init.sls']);
  assert.deepEqual(await server.list('base', 'web'), ['web/init.sls']);
  assert.deepEqual(await server.list('base', '/we/'), ['web/init.sls']);
  assert.deepEqual(await server.list('base', 't'), ['top.sls']);
  assert.deepEqual(await server.list('unknown', ''), []);
  await assert.rejects(server.list('base', '../'), refused);
  assert.deepEqual(await server.dirList('base', ''), ['.', 'db', 'site', 'web']);
  assert.deepEqual(server.envs(), ['base']);
});

test('an __env__ root serves any saltenv under its own name', { timeout: 10_000 }, async (t) => {
  const dir = await tempDir(t);
  await put(join(dir, 'feature-x', 'motd'), 'feature x');
  const server = new FileServer({ fileRoots: { __env__: [join(dir, '__env__')] }, log: SILENT_LOGGER });
  assert.equal((await server.stat('motd', 'feature-x'))?.hash, sha256('feature x'));
  assert.equal(await server.stat('motd', 'feature-y'), null);
});

test('the chunk size derived from max_packet_size keeps a base64 reply inside one packet', { timeout: 10_000 }, () => {
  assert.equal(chunkBytesFor(1_048_576), DEFAULT_CHUNK_BYTES);
  for (const max of [4096, 65_536, 300_000]) {
    const chunk = chunkBytesFor(max);
    const reply = JSON.stringify({ v: 1, type: 'response', rid: 'r'.repeat(12), ok: true, result: { data: Buffer.alloc(chunk).toString('base64'), eof: false } });
    assert.ok(Buffer.byteLength(reply) < max, `${max}: ${reply.length}`);
  }
});
