import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli, eventually, minionReady, spawnCli, startMaster, startMinion } from './harness.js';

test('a new minion waits as pending until saltmq-key accepts it, and the bus shows each step in Salt format', { timeout: 90_000 }, async (t) => {
  const master = await startMaster(t);
  const watcher = spawnCli(t, master, 'run', ['state.event']);
  await new Promise<void>((resolve) => watcher.child.stderr!.on('data', (d: Buffer) => d.toString().includes('listening') && resolve()));

  const minion = await startMinion(t, master, 'web1');
  const pend = await watcher.waitForLine((l) => l.startsWith('salt/auth\t') && l.includes('"act": "pend"'));
  const [, json] = pend.split('\t') as [string, string];
  const auth = JSON.parse(json) as Record<string, unknown>;
  assert.deepEqual(Object.keys(auth), ['result', 'act', 'id', 'pub', '_stamp']);
  assert.equal(auth.id, 'web1');
  assert.equal(auth.result, true);
  assert.equal(auth.pub, await readFile(join(minion.dir, 'etc/saltmq/pki/minion/minion.pub'), 'utf8'));
  assert.match(String(auth._stamp), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?$/);
  assert.match(json, /^\{"result": true, "act": "pend", "id": "web1", /, 'Python separators and insertion order');

  const listed = await cli(master, 'key', ['-L']);
  assert.equal(listed.code, 0);
  assert.equal(listed.stdout, 'Accepted Keys:\nDenied Keys:\nUnaccepted Keys:\nweb1\nRejected Keys:\n');

  const accepted = await cli(master, 'key', ['-a', 'web1', '-y']);
  assert.equal(accepted.code, 0, accepted.stderr);
  assert.equal(accepted.stdout, 'The following keys are going to be accepted:\nUnaccepted Keys:\nweb1\nKey for minion web1 accepted.\n');
  await minionReady(minion);
  await watcher.waitForLine((l) => l.startsWith('salt/key\t') && l.includes('"act": "accept"') && l.includes('"id": "web1"'));
  const start = await watcher.waitForLine((l) => l.startsWith('salt/minion/web1/start\t'));
  const startData = JSON.parse(start.split('\t')[1]!) as Record<string, unknown>;
  assert.deepEqual(Object.keys(startData), ['id', 'cmd', 'pretag', 'data', 'tag', '_stamp']);
  assert.equal(startData.cmd, '_minion_event');
  assert.match(String(startData.data), /^Minion web1 started at \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}$/);
  await watcher.waitForLine((l) => l.startsWith('minion_start\t'));
  assert.deepEqual(await readdir(join(master.pkiDir, 'minions')), ['web1']);
  assert.deepEqual(await readdir(join(master.pkiDir, 'minions_pre')), []);
});

test('state.event pretty=True prints indented, sorted JSON after a TAB', { timeout: 60_000 }, async (t) => {
  const master = await startMaster(t, { auto_accept: true });
  const watcher = spawnCli(t, master, 'run', ['state.event', 'tagmatch=salt/minion/*/start', 'pretty=True', 'count=1']);
  await new Promise<void>((resolve) => watcher.child.stderr!.on('data', (d: Buffer) => d.toString().includes('listening') && resolve()));
  await startMinion(t, master, 'db1');
  await watcher.waitForLine((l) => l.startsWith('salt/minion/db1/start\t{'));
  const [code] = (await new Promise((r) => watcher.child.once("exit", (...a) => r(a)))) as unknown as [number];
  assert.equal(code, 0, 'count=1 stops after one event');
  const text = watcher.lines.join('\n');
  assert.match(text, /^salt\/minion\/db1\/start\t\{\n {4}"_stamp": "[^"]+",\n {4}"cmd": "_minion_event",\n {4}"data": "Minion db1 started at [^"]+",\n {4}"id": "db1",\n {4}"pretag": null,\n {4}"tag": "salt\/minion\/db1\/start"\n\}$/);
});

test('another key under an accepted id is denied, filed in minions_denied, and the real minion keeps working', { timeout: 90_000 }, async (t) => {
  const master = await startMaster(t, { auto_accept: true });
  const real = await startMinion(t, master, 'app1');
  await minionReady(real);
  const acceptedKey = await readFile(join(master.pkiDir, 'minions/app1'), 'utf8');

  const imposter = await startMinion(t, master, 'app1');
  const code = await imposter.proc.exited;
  assert.equal(code, 77, 'a refused key ends the minion with Salt exit code 77');
  assert.ok(imposter.proc.logs.some((r) => String(r.msg).includes('rejected this minion')));
  assert.equal(await readFile(join(master.pkiDir, 'minions/app1'), 'utf8'), acceptedKey, 'the accepted key is untouched');
  const denied = await readFile(join(master.pkiDir, 'minions_denied/app1'), 'utf8');
  assert.equal(denied, await readFile(join(imposter.dir, 'etc/saltmq/pki/minion/minion.pub'), 'utf8'));

  const ping = await cli(master, 'salt', ['app1', 'test.ping']);
  assert.equal(ping.code, 0, ping.stderr);
  assert.equal(ping.stdout, 'app1:\n    True\n');
  assert.ok(real.proc.running);
});

test('saltmq-key works on the key files while the master is stopped', { timeout: 60_000 }, async (t) => {
  const master = await startMaster(t);
  const minion = await startMinion(t, master, 'late1');
  await eventually(async () => (await readdir(join(master.pkiDir, 'minions_pre'))).includes('late1'), 20_000, 'pending key');
  await minion.proc.stop();
  await master.proc.stop();
  const accepted = await cli(master, 'key', ['-A', '-y']);
  assert.equal(accepted.code, 0, accepted.stderr);
  assert.match(accepted.stdout, /Key for minion late1 accepted\./);
  const listed = await cli(master, 'key', ['-l', 'acc', '--out', 'json']);
  assert.deepEqual(JSON.parse(listed.stdout), { minions: ['late1'] });
  const finger = await cli(master, 'key', ['-f', 'late1']);
  assert.match(finger.stdout, /^Accepted Keys:\nlate1: {2}([0-9a-f]{2}:){31}[0-9a-f]{2}\n$/);
});

test('a master_finger that does not match stops the minion with exit 42 and both fingerprints', { timeout: 60_000 }, async (t) => {
  const master = await startMaster(t);
  const wrong = 'aa:'.repeat(31) + 'aa';
  const minion = await startMinion(t, master, 'careful1', { master_finger: wrong });
  assert.equal(await minion.proc.exited, 42);
  const text = minion.proc.stderrText.join('\n');
  const { pemFingerprint } = await import('@saltmq/common');
  const actual = pemFingerprint(await readFile(join(master.pkiDir, 'master.pub'), 'utf8'));
  assert.ok(text.includes(wrong), 'prints the configured fingerprint');
  assert.ok(text.includes(actual), "prints the master's fingerprint");
  assert.deepEqual(await readdir(join(master.pkiDir, 'minions_pre')), [], 'it never presented its key');

  const right = await startMinion(t, master, 'careful2', { master_finger: actual });
  await eventually(async () => (await readdir(join(master.pkiDir, 'minions_pre'))).includes('careful2'), 20_000, 'the right fingerprint connects');
  assert.ok(right.proc.running);
});

test('saltmq-key rejects, deletes and fingerprints as salt-key does; a rejected minion exits 77', { timeout: 90_000 }, async (t) => {
  const master = await startMaster(t);
  const a = await startMinion(t, master, 'rej1');
  const b = await startMinion(t, master, 'del1');
  await eventually(async () => (await readdir(join(master.pkiDir, 'minions_pre'))).length === 2, 20_000, 'both pending');

  const declined = await cli(master, 'key', ['-a', 'rej1'], 'n\n');
  assert.equal(declined.stdout, 'The following keys are going to be accepted:\nUnaccepted Keys:\nrej1\nProceed? [n/Y] ');
  assert.deepEqual(await readdir(join(master.pkiDir, 'minions')), [], 'answering n changes nothing');

  const rejected = await cli(master, 'key', ['-r', 'rej1', '-y']);
  assert.equal(rejected.stdout, 'The following keys are going to be rejected:\nUnaccepted Keys:\nrej1\nKey for minion rej1 rejected.\n');
  assert.equal(await a.proc.exited, 77, 'the rejected minion stops with Salt exit code 77');

  const noMatch = await cli(master, 'key', ['-a', 'ghost*', '-y']);
  assert.equal(noMatch.stdout, "The key glob 'ghost*' does not match any unaccepted keys.\n");
  const deleting = await cli(master, 'key', ['-d', 'del1'], '\n');
  assert.match(deleting.stdout, /Proceed\? \[N\/y\] $/, 'delete defaults to no');
  assert.ok((await readdir(join(master.pkiDir, 'minions_pre'))).includes('del1'));
  const deleted = await cli(master, 'key', ['-d', 'del1', '-y']);
  assert.match(deleted.stdout, /Key for minion del1 deleted\.\n$/);

  const all = await cli(master, 'key', ['-F']);
  assert.match(all.stdout, /^Local Keys:\nmaster\.pub: {2}([0-9a-f]{2}:){31}[0-9a-f]{2}\n/);
  assert.match(all.stdout, /Rejected Keys:\nrej1: {2}([0-9a-f]{2}:){31}[0-9a-f]{2}\n/);
  const printed = await cli(master, 'key', ['-p', 'rej1']);
  assert.match(printed.stdout, /^Rejected Keys:\nrej1: {2}-----BEGIN PUBLIC KEY-----/);
  const listed = await cli(master, 'key', ['-L', '--out', 'yaml']);
  assert.match(listed.stdout, /minions_rejected:\n- rej1\n/);
  assert.ok(b.proc.running || (await b.proc.exited) !== 77, 'a deleted minion is not told it was rejected');
});
