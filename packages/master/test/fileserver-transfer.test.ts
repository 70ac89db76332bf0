import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, open, readdir, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { CodedError, SILENT_LOGGER } from '@saltmq/common';
import { registerFileServerMethods } from '../src/fileserver/index.js';
import type { RequestMethod } from '../src/requests/router.js';
// The minion's client, so the two halves of salt:// are tested against each other.
import { FileClient } from '../../minion/src/fileclient/index.js';

const MAX_PACKET_SIZE = 1_048_576;

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'saltmq-transfer-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * The master's methods behind an in-process `request` that behaves like the wire: params and results
 * go through JSON, a reply must fit in one MQTT packet, and a CodedError arrives as {code, message}.
 */
function wire(fileRoots: Record<string, string[]>, chunkBytes?: number) {
  const methods = new Map<string, RequestMethod>();
  const server = registerFileServerMethods({ register: (name, method) => methods.set(name, method) }, {
    fileRoots,
    log: SILENT_LOGGER,
    ...(chunkBytes ? { chunkBytes } : {}),
  });
  const calls: string[] = [];
  const hooks = { beforeReply: async (_method: string, _params: Record<string, unknown>) => undefined as void };
  const request = async (method: string, params: Record<string, unknown>): Promise<unknown> => {
    calls.push(method);
    const impl = methods.get(method);
    if (!impl) throw Object.assign(new Error(`unknown method '${method}'`), { code: 'ERR_UNKNOWN_METHOD' });
    try {
      const result = await impl(JSON.parse(JSON.stringify(params)) as Record<string, unknown>, { kind: 'minion', id: 'web1' });
      await hooks.beforeReply(method, params);
      const text = JSON.stringify({ v: 1, type: 'response', rid: 'x', ok: true, result: result ?? null });
      assert.ok(Buffer.byteLength(text) < MAX_PACKET_SIZE, `a ${method} reply of ${Buffer.byteLength(text)} bytes would not fit in one packet`);
      return (JSON.parse(text) as { result: unknown }).result;
    } catch (error) {
      if (error instanceof CodedError) throw Object.assign(new Error(error.message), { code: error.code });
      throw error;
    }
  };
  const count = (method: string) => calls.filter((name) => name === method).length;
  return { server, request, calls, count, hooks };
}

/** Records every FileHandle.read length (the master's only way to read a file) and readFile calls. */
async function spyOnReads(t: TestContext, probe: string) {
  const handle = await open(probe, 'r');
  const proto = Object.getPrototypeOf(handle) as FileHandle;
  await handle.close();
  const originalRead = proto.read;
  const originalReadFile = proto.readFile;
  const seen = { maxLength: 0, reads: 0, readFiles: 0, peakRss: process.memoryUsage.rss() };
  proto.read = function (this: FileHandle, ...args: unknown[]) {
    const length = typeof args[2] === 'number' ? args[2] : Buffer.isBuffer(args[0]) ? args[0].length : Infinity;
    seen.maxLength = Math.max(seen.maxLength, length);
    seen.reads += 1;
    seen.peakRss = Math.max(seen.peakRss, process.memoryUsage.rss());
    return (originalRead as (...a: unknown[]) => ReturnType<FileHandle['read']>).apply(this, args);
  } as FileHandle['read'];
  proto.readFile = function (this: FileHandle, ...args: unknown[]) {
    seen.readFiles += 1;
    return (originalReadFile as (...a: unknown[]) => ReturnType<FileHandle['readFile']>).apply(this, args);
  } as FileHandle['readFile'];
  t.after(() => {
    proto.read = originalRead;
    proto.readFile = originalReadFile;
  });
  return seen;
}

test('a 50 MB file reaches the minion cache intact in bounded slices, and a second cacheFile transfers nothing', { timeout: 120_000 }, async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, 'srv');
  await mkdir(join(root, 'big'), { recursive: true });
  const expected = createHash('sha256');
  const out = await open(join(root, 'big', 'blob.bin'), 'w');
  for (let i = 0; i < 50; i++) {
    const piece = randomBytes(1024 * 1024);
    expected.update(piece);
    await out.write(piece);
  }
  await out.close();
  const wantHash = expected.digest('hex');

  const master = wire({ base: [root] });
  const client = new FileClient({ request: master.request, cachedir: join(dir, 'minion-cache'), log: SILENT_LOGGER });
  const seen = await spyOnReads(t, join(root, 'big', 'blob.bin'));
  const rssBefore = process.memoryUsage.rss();

  const path = await client.cacheFile('salt://big/blob.bin', 'base');
  assert.equal(path, join(dir, 'minion-cache', 'files', 'base', 'big', 'blob.bin'));
  const got = createHash('sha256');
  for await (const piece of (await open(path!, 'r')).createReadStream()) got.update(piece as Buffer);
  assert.equal(got.digest('hex'), wantHash);

  const growthMb = (Math.max(seen.peakRss, process.memoryUsage.rss()) - rssBefore) / 2 ** 20;
  t.diagnostic(`RSS growth during the 50 MB transfer: ${growthMb.toFixed(1)} MB; largest single read ${seen.maxLength} bytes over ${seen.reads} reads`);
  assert.ok(seen.maxLength <= master.server.chunkBytes, `a read of ${seen.maxLength} bytes exceeds one chunk`);
  assert.equal(seen.readFiles, 0);
  assert.ok(growthMb < 150, `RSS grew by ${growthMb.toFixed(1)} MB`);
  assert.equal(master.count('file.read'), Math.ceil((50 * 1024 * 1024) / master.server.chunkBytes));
  assert.deepEqual(await readdir(join(dir, 'minion-cache', 'files', 'base', 'big')), ['blob.bin']);

  const readsBefore = master.count('file.read');
  assert.equal(await client.cacheFile('salt://big/blob.bin', 'base'), path);
  assert.equal(master.count('file.read'), readsBefore);
});

test('a file that changes during the transfer is fetched again and never lands half old, half new', { timeout: 30_000 }, async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'srv', 'motd');
  await mkdir(join(dir, 'srv'));
  await writeFile(file, 'A'.repeat(5000));
  const master = wire({ base: [join(dir, 'srv')] }, 1000);
  let edited = false;
  master.hooks.beforeReply = async (method) => {
    if (method === 'file.read' && !edited) {
      edited = true;
      await writeFile(file, 'B'.repeat(5000));
    }
  };
  const client = new FileClient({ request: master.request, cachedir: join(dir, 'cache'), log: SILENT_LOGGER, chunkBytes: 1000 });
  assert.equal(await client.getFileStr('salt://motd', 'base'), 'B'.repeat(5000));
  assert.equal(master.count('file.stat'), 2);
  assert.deepEqual(await readdir(join(dir, 'cache', 'files', 'base')), ['motd']);
});

test('a file that keeps changing makes cacheFile fail after three tries and leaves no partial file', { timeout: 30_000 }, async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'srv', 'log');
  await mkdir(join(dir, 'srv'));
  await writeFile(file, 'x'.repeat(3000));
  const master = wire({ base: [join(dir, 'srv')] }, 1000);
  master.hooks.beforeReply = async (method) => {
    if (method === 'file.read') await writeFile(file, randomBytes(1500).toString('hex'));
  };
  const client = new FileClient({ request: master.request, cachedir: join(dir, 'cache'), log: SILENT_LOGGER, chunkBytes: 1000, readAhead: 1 });
  await assert.rejects(client.cacheFile('salt://log', 'base'), { code: 'ERR_FILE_SERVER' });
  assert.equal(master.count('file.stat'), 3);
  assert.deepEqual(await readdir(join(dir, 'cache', 'files', 'base')), []);
});

test('a master that caps slices below what the client asks still delivers the whole file', { timeout: 30_000 }, async (t) => {
  const dir = await tempDir(t);
  const content = randomBytes(10_000);
  await mkdir(join(dir, 'srv'));
  await writeFile(join(dir, 'srv', 'blob'), content);
  const master = wire({ base: [join(dir, 'srv')] }, 1000);
  const client = new FileClient({ request: master.request, cachedir: join(dir, 'cache'), log: SILENT_LOGGER, chunkBytes: 4096 });
  const path = await client.cacheFile('salt://blob', 'base');
  const stored = await open(path!, 'r');
  t.after(() => stored.close());
  assert.deepEqual(await stored.readFile(), content);
});

test('a missing file caches as undefined and the master refusals reach the client as ERR_FILE_SERVER', { timeout: 30_000 }, async (t) => {
  const dir = await tempDir(t);
  await mkdir(join(dir, 'srv'));
  await writeFile(join(dir, 'secret'), 'outside');
  const master = wire({ base: [join(dir, 'srv')] });
  const client = new FileClient({ request: master.request, cachedir: join(dir, 'cache'), log: SILENT_LOGGER });
  assert.equal(await client.cacheFile('salt://nope', 'base'), undefined);
  await assert.rejects(client.cacheFile('salt://motd', 'prod'), { code: 'ERR_FILE_SERVER' });
  // past the minion's own checks, straight at the master
  await assert.rejects(master.request('file.read', { path: '../secret', saltenv: 'base', offset: 0, length: 10 }), { code: 'ERR_FILE_SERVER' });
  await assert.rejects(master.request('file.read', { path: 'x', saltenv: 'base', offset: -1 }), { code: 'ERR_BAD_MESSAGE' });
  assert.deepEqual(await master.request('file.list_envs', {}), ['base']);
});
