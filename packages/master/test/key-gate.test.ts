import assert from 'node:assert/strict';
import { chmod, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { generateKeyPair, SILENT_LOGGER } from '@saltmq/common';
import { PatternFile } from '../src/pki/auto-sign.js';
import { KeyGate } from '../src/pki/key-gate.js';
import { KeyOps } from '../src/pki/key-ops.js';
import { KeyStore } from '../src/pki/key-store.js';

const keyA = (await generateKeyPair(2048)).publicPem;
const keyB = (await generateKeyPair(2048)).publicPem;

async function setup(t: TestContext, options: { autoAccept?: boolean; autosign?: string; autoreject?: string } = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'keygate-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const store = new KeyStore(join(dir, 'pki'), 0);
  await store.init();
  const file = async (name: string, text?: string) => {
    if (text === undefined) return undefined;
    const path = join(dir, name);
    await writeFile(path, text);
    await chmod(path, 0o600);
    return path;
  };
  const gate = new KeyGate(store, {
    autoAccept: options.autoAccept ?? false,
    autosign: new PatternFile(await file('autosign', options.autosign), false, SILENT_LOGGER),
    autoreject: new PatternFile(await file('autoreject', options.autoreject), false, SILENT_LOGGER),
    maxMinions: 0,
    isConnected: () => false,
  });
  return { store, gate, ops: new KeyOps(store), dir };
}

test("Salt's decision order: new keys wait, rejected stays rejected, another key for a known id is denied", async (t) => {
  const { store, gate, ops } = await setup(t);
  assert.deepEqual((await gate.decide('web1', keyA)).event, { result: true, act: 'pend', id: 'web1', pub: keyA });
  assert.equal((await gate.decide('web1', keyB)).verdict, 'denied', 'a different key for a pending id');
  await ops.accept('web1');
  assert.equal((await gate.decide('web1', keyA)).verdict, 'accepted');
  const denied = await gate.decide('web1', keyB);
  assert.deepEqual(denied.event, { result: false, act: 'denied', id: 'web1', pub: keyB });
  assert.equal(await store.read('minions', 'web1'), keyA, 'the accepted key is untouched');
  assert.equal(await store.read('minions_denied', 'web1'), keyB);
  await ops.reject('web1', { includeAccepted: true });
  const rejected = await gate.decide('web1', keyA);
  assert.deepEqual(rejected.event, { result: false, id: 'web1', pub: keyA }, 'Salt sends no act for an already rejected key');
});

test('autoreject is checked before autosign; auto_accept admits everything else', async (t) => {
  const { gate } = await setup(t, { autosign: 'web*\n# comment\n', autoreject: 'web-bad\n' });
  assert.equal((await gate.decide('web-bad', keyA)).verdict, 'rejected');
  assert.equal((await gate.decide('web-good', keyA)).verdict, 'accepted');
  assert.equal((await gate.decide('db1', keyA)).verdict, 'pending');
  const open = await setup(t, { autoAccept: true });
  assert.equal((await open.gate.decide('anything', keyA)).verdict, 'accepted');
});

test('connections and accepts racing on one id never leave its key in two places', async (t) => {
  const { store, gate, ops } = await setup(t);
  await gate.decide('race1', keyA);
  await Promise.all([
    ...Array.from({ length: 20 }, () => gate.decide('race1', keyA)),
    ops.accept('race1'),
    ...Array.from({ length: 20 }, () => gate.decide('race1', keyA)),
  ]);
  const places = [];
  for (const dir of ['minions', 'minions_pre', 'minions_rejected', 'minions_denied']) if ((await readdir(join(store.pkiDir, dir))).includes('race1')) places.push(dir);
  assert.deepEqual(places, ['minions']);
});
