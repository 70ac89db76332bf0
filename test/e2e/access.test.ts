import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { test } from 'node:test';
import { generateKeyPair } from '@saltmq/common';
import { cli, minionReady, startMaster, startMinion, type MasterHandle } from './harness.js';
import { grants, masterTrust, minionPassword, publishVerdict, rawAdmin, rawConnect, rawMinion } from './raw-client.js';

const exec = promisify(execFile);

async function mosquitto(master: MasterHandle, tool: 'mosquitto_sub' | 'mosquitto_pub', args: string[]): Promise<{ code: number; out: string }> {
  const trust = await masterTrust(master);
  const { writeFile } = await import('node:fs/promises');
  const ca = `${master.dir}/ca.crt`;
  await writeFile(ca, trust.cert);
  try {
    const { stdout, stderr } = await exec(tool, ['-h', 'localhost', '-p', String(master.port), '--cafile', ca, ...args], { timeout: 10_000 });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, out: (e.stdout ?? '') + (e.stderr ?? '') };
  }
}

test('anonymous clients and bad credentials are refused at CONNECT', { timeout: 60_000 }, async (t) => {
  const master = await startMaster(t);
  const trust = await masterTrust(master);
  const anonymous = await rawConnect(master, trust.cert, { clientId: 'x1' });
  assert.ok('refused' in anonymous, 'no username: refused');
  const badAdmin = await rawConnect(master, trust.cert, { clientId: '$admin-x', username: '$admin', password: 'not-the-token' });
  assert.deepEqual(badAdmin, { refused: 4 });
  const adminIdAsMinion = await rawConnect(master, trust.cert, { clientId: 'web1', username: '$admin', password: trust.token });
  assert.ok('refused' in adminIdAsMinion, 'an admin cannot take a minion client id');
  const keys = await generateKeyPair(2048);
  const forged = await rawConnect(master, trust.cert, { clientId: 'web1', username: 'web1', password: minionPassword('web1', keys, trust.finger, { nonce: 'AAAAAAAAAAAAAAAAAAAAAAAA', pub: keys.publicPem.replace('A', 'B') }) });
  assert.ok('refused' in forged, 'a signature that does not match the presented key is refused');
  const otherMaster = await rawConnect(master, trust.cert, { clientId: 'web1', username: 'web1', password: minionPassword('web1', keys, 'aa:bb') });
  assert.deepEqual(otherMaster, { refused: 4 }, 'credentials made for another master key are refused');
  const idMismatch = await rawConnect(master, trust.cert, { clientId: 'web2', username: 'web1', password: minionPassword('web1', keys, trust.finger) });
  assert.deepEqual(idMismatch, { refused: 2 }, 'the client id is bound to the minion id');
  for (const bad of ['a+b', 'a/b', '#', '..', '$SYS']) {
    const outcome = await rawConnect(master, trust.cert, { clientId: bad, username: bad, password: minionPassword(bad, keys, trust.finger) });
    assert.deepEqual(outcome, { refused: 2 }, `id ${bad} refused`);
  }
  const sub = await mosquitto(master, 'mosquitto_sub', ['-t', '#', '-W', '2', '-i', 'anon1']);
  assert.notEqual(sub.code, 0);
  assert.match(sub.out, /not authori[sz]ed|refused|bad user/i);
  const replay = minionPassword('web3', keys, trust.finger);
  const first = await rawConnect(master, trust.cert, { clientId: 'web3', username: 'web3', password: replay });
  assert.ok('client' in first);
  first.client.end(true);
  const again = await rawConnect(master, trust.cert, { clientId: 'web3', username: 'web3', password: replay });
  assert.deepEqual(again, { refused: 4 }, 'a captured CONNECT proof cannot be replayed');
});

test('a pending minion may only wait for its key: it subscribes to nothing else and publishes nothing', { timeout: 60_000 }, async (t) => {
  const master = await startMaster(t);
  const { outcome } = await rawMinion(master, 'pend1');
  assert.ok('client' in outcome);
  const client = outcome.client;
  t.after(() => client.end(true));
  assert.deepEqual(await grants(client, ['saltmq/minion/pend1/key']), [1]);
  assert.deepEqual(await grants(client, ['saltmq/minion/pend1/job', 'saltmq/minion/pend1/resp', '#', 'salt/#', '$SYS/#']), [128, 128, 128, 128, 128]);
  assert.equal(await publishVerdict(client, 'saltmq/minion/pend1/ret', '{}'), 'closed');
});

test('an accepted minion reads only its own channels, writes only its own, and never anything else', { timeout: 90_000 }, async (t) => {
  const master = await startMaster(t, { auto_accept: true });
  const other = await startMinion(t, master, 'other1');
  await minionReady(other);
  const admin = await rawAdmin(master);
  t.after(() => admin.end(true));
  const seen: string[] = [];
  admin.on('message', (topic) => seen.push(topic));
  await admin.subscribeAsync('#');

  const connectMinion = async () => {
    const { outcome } = await rawMinion(master, 'acc1', keys);
    assert.ok('client' in outcome);
    t.after(() => outcome.client.end(true));
    return outcome.client;
  };
  const keys = await generateKeyPair(2048);
  let client = await connectMinion();
  assert.deepEqual(await grants(client, ['saltmq/minion/acc1/key', 'saltmq/minion/acc1/job', 'saltmq/minion/acc1/resp']), [1, 1, 1]);
  assert.deepEqual(
    await grants(client, ['#', 'salt/#', '$SYS/#', 'saltmq/minion/other1/job', 'saltmq/minion/+/job', 'saltmq/#', '$share/g/salt/#', 'salt/job/+/ret/+']),
    [128, 128, 128, 128, 128, 128, 128, 128],
  );
  for (const [topic, options] of [
    ['saltmq/minion/acc1/ret', {}],
    ['saltmq/minion/acc1/event', {}],
    ['saltmq/minion/acc1/req', {}],
  ] as const) {
    assert.equal(await publishVerdict(client, topic, '{"v":1,"garbage":true}', options), 'kept', `own channel ${topic}`);
  }
  const refused: [string, { retain?: boolean }][] = [
    ['salt/job/20260101000000000000/new', {}],
    ['saltmq/minion/other1/job', {}],
    ['saltmq/minion/other1/ret', {}],
    ['saltmq/minion/acc1/job', {}],
    ['salt/auth', {}],
    ['$SYS/broker/new/clients', {}],
    ['saltmq/admin/$admin-x/req', {}],
    ['saltmq/minion/acc1/ret', { retain: true }],
  ];
  for (const [topic, options] of refused) {
    assert.equal(await publishVerdict(client, topic, '{}', options), 'closed', `publishing to ${topic} ${JSON.stringify(options)} cuts the connection`);
    client = await connectMinion();
  }
  assert.ok(!seen.some((topic) => topic.startsWith('saltmq/')), `admins see the bus, not private channels: ${seen.filter((x) => x.startsWith('saltmq/')).join(',')}`);
  // a will is published by the broker on the minion's behalf: it is checked like any publish
  const trust = await masterTrust(master);
  const willed = await rawConnect(master, trust.cert, {
    clientId: 'acc1',
    username: 'acc1',
    password: minionPassword('acc1', keys, trust.finger),
    will: { topic: 'salt/job/20260101000000000000/ret/other1', payload: Buffer.from('{"forged":true}'), qos: 0, retain: false },
  });
  assert.ok('client' in willed);
  (willed.client.stream as { destroy(): void }).destroy(); // an unclean end makes the broker publish the will
  await new Promise((r) => setTimeout(r, 1000));
  assert.ok(!seen.includes('salt/job/20260101000000000000/ret/other1'), 'a will on a foreign topic is never delivered');
  const ping = await cli(master, 'salt', ['other1', 'test.ping']);
  assert.equal(ping.stdout, 'other1:\n    True\n', 'the master kept serving the other minion');
});

test('an admin (mosquitto_sub with the admin token) watches the bus but not $SYS', { timeout: 60_000 }, async (t) => {
  const master = await startMaster(t, { auto_accept: true });
  const trust = await masterTrust(master);
  const watch = mosquitto(master, 'mosquitto_sub', ['-u', '$admin', '-P', trust.token, '-i', '$admin-watch', '-t', 'salt/minion/+/start', '-C', '1', '-v', '-W', '20']);
  await new Promise((r) => setTimeout(r, 500)); // mosquitto_sub gives no ready signal; a start event comes seconds later anyway
  const minion = await startMinion(t, master, 'seen1');
  await minionReady(minion);
  const result = await watch;
  assert.equal(result.code, 0, result.out);
  assert.match(result.out, /^salt\/minion\/seen1\/start \{"id":"seen1","cmd":"_minion_event"/);
  const sys = await mosquitto(master, 'mosquitto_sub', ['-u', '$admin', '-P', trust.token, '-i', '$admin-sys', '-t', '$SYS/#', '-W', '2']);
  assert.match(sys.out, /All subscription requests were denied/);
});
