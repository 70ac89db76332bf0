import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { test } from 'node:test';
import { cli, eventually, minionReady, startMaster, startMinion } from './harness.js';
import { masterTrust, publishVerdict, rawMinion } from './raw-client.js';

test('a master killed with SIGKILL restarts with its keys intact and the minions come back by themselves', { timeout: 120_000 }, async (t) => {
  const master = await startMaster(t, { auto_accept: true });
  const a = await startMinion(t, master, 'alpha');
  const b = await startMinion(t, master, 'beta');
  await Promise.all([minionReady(a), minionReady(b)]);
  const before = await Promise.all(['alpha', 'beta'].map((id) => readFile(join(master.pkiDir, 'minions', id), 'utf8')));
  const readyCount = (m: typeof a) => m.proc.logs.filter((r) => r.msg === 'minion ready').length;

  master.proc.child.kill('SIGKILL');
  await master.proc.exited;
  await master.restart();
  await eventually(() => readyCount(a) >= 2 && readyCount(b) >= 2, 60_000, 'both minions reconnected');
  const after = await Promise.all(['alpha', 'beta'].map((id) => readFile(join(master.pkiDir, 'minions', id), 'utf8')));
  assert.deepEqual(after, before);
  const leftovers = (await readdir(join(master.pkiDir, 'minions'))).filter((f) => f.startsWith('.'));
  assert.deepEqual(leftovers, [], 'no temp files left behind');
  const ping = await cli(master, 'salt', ['*', 'test.ping', '--out', 'json', '--static']);
  assert.equal(ping.code, 0, ping.stderr);
  assert.deepEqual(JSON.parse(ping.stdout), { alpha: true, beta: true });
});

test('SIGTERM stops the master cleanly within a few seconds', { timeout: 60_000 }, async (t) => {
  const master = await startMaster(t, { auto_accept: true });
  const minion = await startMinion(t, master, 'gamma');
  await minionReady(minion);
  const started = Date.now();
  const code = await master.proc.stop('SIGTERM');
  assert.equal(code, 0);
  assert.ok(Date.now() - started < 5000, 'stopped within 5 s');
  assert.ok(master.proc.logs.some((r) => r.msg === 'master stopped'));
});

test('bad input gets a clear error and the master keeps serving its other minions', { timeout: 120_000 }, async (t) => {
  const master = await startMaster(t, { auto_accept: true, max_packet_size: 65536 });
  const good = await startMinion(t, master, 'good1');
  await minionReady(good);

  // an id that could escape a directory or a topic level: the minion refuses to start
  const badId = await startMinion(t, master, 'bad/id');
  assert.equal(await badId.proc.exited, 2);
  assert.match(badId.proc.stderrText.join('\n'), /invalid minion id "bad\/id": an id must not contain \/ or \\/);

  // malformed payloads on allowed topics are dropped with a logged reason
  const { outcome } = await rawMinion(master, 'noisy1');
  assert.ok('client' in outcome);
  const noisy = outcome.client;
  t.after(() => noisy.end(true));
  for (const channel of ['ret', 'event', 'req']) {
    assert.equal(await publishVerdict(noisy, `saltmq/minion/noisy1/${channel}`, 'not json {'), 'kept');
    assert.equal(await publishVerdict(noisy, `saltmq/minion/noisy1/${channel}`, '{"v":1,"kind":"ret","jid":"../../etc"}'), 'kept');
  }
  await master.proc.waitForLog((r) => r.msg === 'malformed return dropped');
  await master.proc.waitForLog((r) => r.msg === 'malformed minion event dropped');
  await master.proc.waitForLog((r) => r.msg === 'malformed request dropped');

  // an oversize packet after CONNECT cuts that connection only
  assert.equal(await publishVerdict(noisy, 'saltmq/minion/noisy1/event', 'x'.repeat(200_000)), 'closed');
  await master.proc.waitForLog((r) => r.msg === 'connection cut: packet over the size limit');

  // an oversize CONNECT is cut before its body is read
  const trust = await masterTrust(master);
  const socket = tlsConnect({ host: '127.0.0.1', port: master.port, ca: trust.cert, checkServerIdentity: () => undefined });
  socket.on('error', () => undefined); // the master resets the connection: that is the point
  await once(socket, 'secureConnect');
  socket.write(Buffer.from([0x10, 0xff, 0xff, 0xff, 0x7f])); // CONNECT claiming 256 MiB
  socket.write(Buffer.alloc(70_000));
  await new Promise((resolve) => socket.once('close', resolve));

  // a garbage key in the credentials
  const garbage = await (await import('./raw-client.js')).rawConnect(master, trust.cert, {
    clientId: 'junk1',
    username: 'junk1',
    password: JSON.stringify({ v: 1, pub: '-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----\n', ts: Date.now(), nonce: 'n'.repeat(24), master: trust.finger, sig: 'AAAA' }),
  });
  assert.deepEqual(garbage, { refused: 4 });
  await master.proc.waitForLog((r) => r.msg === 'connection refused' && /unreadable credentials: the public key is not a PEM block/.test(String(r.reason)));

  const ping = await cli(master, 'salt', ['good1', 'test.ping']);
  assert.equal(ping.stdout, 'good1:\n    True\n');
  assert.ok(master.proc.running);
});

test('a config file with a bad value stops the master with the file, the option and the problem', { timeout: 30_000 }, async (t) => {
  const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const dir = await mkdtemp(join(tmpdir(), 'saltmq-badconf-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'master'), `root_dir: ${dir}\nport: 99999\nauto_accept: maybe\nsome_unknown_option: 1\n`);
  const child = spawn(process.execPath, [join(process.cwd(), 'packages/master/dist/cli/master.js'), '-c', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const [code] = (await once(child, 'exit')) as [number];
  assert.equal(code, 2);
  assert.match(stderr, new RegExp(`invalid configuration: ${join(dir, 'master').replace(/[/.]/g, '\\$&')}: `));
  assert.match(stderr, /option 'port': .*\(got 99999\)/);
  assert.match(stderr, /option 'auto_accept': .*\(got "maybe"\)/);
  assert.match(stderr, /unknown option ignored.*some_unknown_option/);
});

test('keys are written with private modes', { timeout: 60_000 }, async (t) => {
  const master = await startMaster(t, { auto_accept: true });
  const minion = await startMinion(t, master, 'modes1');
  await minionReady(minion);
  assert.equal((await stat(join(master.pkiDir, 'master.pem'))).mode & 0o777, 0o600);
  assert.equal((await stat(join(master.pkiDir, 'admin.token'))).mode & 0o777, 0o600);
  assert.equal((await stat(join(minion.dir, 'etc/saltmq/pki/minion/minion.pem'))).mode & 0o777, 0o600);
  assert.match(await readFile(join(minion.dir, 'etc/saltmq/pki/minion/minion.pem'), 'utf8'), /^-----BEGIN RSA PRIVATE KEY-----\n/);
  assert.match(await readFile(join(minion.dir, 'etc/saltmq/pki/minion/minion.pub'), 'utf8'), /^-----BEGIN PUBLIC KEY-----\n/);
});
