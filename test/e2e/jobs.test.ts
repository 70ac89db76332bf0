import assert from 'node:assert/strict';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli, eventually, minionReady, startMaster, startMinion, type MasterHandle, type MinionHandle } from './harness.js';

async function fleet(t: Parameters<typeof startMaster>[0]): Promise<{ master: MasterHandle; minions: MinionHandle[] }> {
  const master = await startMaster(t, { auto_accept: true });
  const minions = await Promise.all([
    startMinion(t, master, 'web1', { grains: { roles: ['web'], env: 'prod' } }),
    startMinion(t, master, 'web2', { grains: { roles: ['web'], env: 'dev' } }),
    startMinion(t, master, 'db1', { grains: { roles: ['db'], env: 'prod' } }),
  ]);
  await Promise.all(minions.map((m) => minionReady(m)));
  return { master, minions };
}

const staticJson = async (master: MasterHandle, args: string[]) => {
  const result = await cli(master, 'salt', [...args, '--out', 'json', '--static']);
  return { ...result, data: result.stdout ? (JSON.parse(result.stdout) as Record<string, unknown>) : undefined };
};

test('targeting: glob, grain, list with a missing id, pcre and compound select the right minions', { timeout: 120_000 }, async (t) => {
  const { master } = await fleet(t);
  const all = await cli(master, 'salt', ['*', 'test.ping']);
  assert.equal(all.code, 0, all.stderr);
  const blocks = all.stdout.split(/(?=^\S+:$)/m).sort();
  assert.deepEqual(blocks, ['db1:\n    True\n', 'web1:\n    True\n', 'web2:\n    True\n'], 'Salt nested output, one block per minion');

  assert.deepEqual(Object.keys((await staticJson(master, ['-G', 'roles:web', 'test.ping'])).data!).sort(), ['web1', 'web2']);
  assert.deepEqual(Object.keys((await staticJson(master, ['-E', '^db', 'test.ping'])).data!).sort(), ['db1']);
  assert.deepEqual(Object.keys((await staticJson(master, ['-C', 'G@env:prod and not L@db1', 'test.ping'])).data!).sort(), ['web1']);
  assert.deepEqual(Object.keys((await staticJson(master, ['-C', '( web* or db* ) and G@env:prod', 'test.ping'])).data!).sort(), ['db1', 'web1']);

  const listed = await cli(master, 'salt', ['-L', 'web1,ghost', 'test.ping']);
  assert.equal(listed.code, 1, 'a listed id without a key did not return');
  assert.match(listed.stdout, /^web1:\n {4}True\n/m);
  assert.match(listed.stdout, /^ghost:\n {4}Minion did not return\. \[No accepted key for this id\]/m);

  const none = await cli(master, 'salt', ['nomatch*', 'test.ping']);
  assert.equal(none.code, 2);
  assert.equal(none.stdout, 'No minions matched the target. No command was sent, no jid was assigned.\n');
  assert.match(none.stderr, /ERROR: No return received/);

  const args = await staticJson(master, ['web1', 'test.arg', '42', 'True', 'foo', 'a=1', 'b=[1,2]']);
  assert.deepEqual(args.data, { web1: { args: [42, true, 'foo'], kwargs: { a: 1, b: [1, 2] } } });
});

test('cmd.run goes through a shell; failures and unknown functions give Salt messages and exit codes', { timeout: 90_000 }, async (t) => {
  const { master, minions } = await fleet(t);
  const dir = minions[0]!.dir;
  const run = await cli(master, 'salt', ['web1', 'cmd.run', 'echo a >> f && echo b >> f && cat f', `cwd=${dir}`]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, 'web1:\n    a\n    b\n');
  assert.equal(await readFile(join(dir, 'f'), 'utf8'), 'a\nb\n');

  const failing = await cli(master, 'salt', ['web1', 'cmd.run', 'echo oops >&2; exit 3']);
  assert.equal(failing.code, 1);
  assert.equal(failing.stdout, 'web1:\n    oops\n');
  assert.match(failing.stderr, /ERROR: Minions returned with non-zero exit code/);
  const retcode = await staticJson(master, ['web1', 'cmd.retcode', 'exit 3']);
  assert.deepEqual(retcode.data, { web1: 3 });

  const unknown = await cli(master, 'salt', ['web1', 'foo.bar']);
  assert.equal(unknown.code, 1);
  assert.equal(unknown.stdout, "web1:\n    'foo.bar' is not available.\n");

  const asyncRun = await cli(master, 'salt', ['web1', 'test.ping', '--async']);
  assert.match(asyncRun.stdout, /^Executed command with job ID: \d{20}\n$/);
});

test('a long cmd.run does not hold up test.ping, and a slow job is reported running until it returns', { timeout: 90_000 }, async (t) => {
  const { master } = await fleet(t);
  const slow = cli(master, 'salt', ['web1', 'cmd.run', 'sleep 4; echo finished', '-t', '1']);
  await eventually(async () => {
    const running = await staticJson(master, ['web1', 'saltutil.running']);
    const jobs = running.data?.web1 as { fun: string }[] | undefined;
    return jobs?.some((j) => j.fun === 'cmd.run');
  }, 20_000, 'the sleep shows in saltutil.running');
  const ping = await cli(master, 'salt', ['web1', 'test.ping']);
  assert.equal(ping.stdout, 'web1:\n    True\n');
  const done = await slow;
  assert.equal(done.code, 0, `find_job kept the CLI waiting past its 1 s timeout: ${done.stdout}${done.stderr}`);
  assert.equal(done.stdout, 'web1:\n    finished\n');
});

test('a job for a stopped minion is queued and runs when it comes back; an expired one never runs', { timeout: 120_000 }, async (t) => {
  const { master, minions } = await fleet(t);
  const web2 = minions[1]!;
  await web2.proc.stop();
  const marker = join(web2.dir, 'ran');
  const expiredMarker = join(web2.dir, 'expired-ran');

  const queued = await cli(master, 'salt', ['web2', 'cmd.run', `echo queued > ${marker}; echo queued-ok`, '-t', '1', '--show-jid']);
  assert.equal(queued.code, 2, 'nothing returned: Salt exits 2');
  const jid = /^jid: (\d{20})$/m.exec(queued.stdout)![1]!;
  assert.match(queued.stdout, /^web2:\n {4}Minion did not return\. \[Not connected: the job is queued and runs when the minion reconnects until /m);
  const expiring = await cli(master, 'salt', ['web2', 'cmd.run', `echo x > ${expiredMarker}`, '--async', '--job-ttl', '1']);
  const expiredJid = /(\d{20})/.exec(expiring.stdout)![1]!;
  await new Promise((resolve) => setTimeout(resolve, 1500)); // let the TTL pass before the minion returns

  await web2.start();
  await minionReady(web2);
  await eventually(() => access(marker).then(() => true, () => false), 20_000, 'the queued job ran');
  const lookup = await eventually(async () => {
    const result = await cli(master, 'run', ['jobs.lookup_jid', jid, '--out', 'json']);
    const data = JSON.parse(result.stdout || '{}') as Record<string, unknown>;
    return data.web2 ? data : undefined;
  }, 20_000, 'lookup_jid shows the return');
  assert.deepEqual(lookup, { web2: 'queued-ok' });

  const status = await cli(master, 'run', ['jobs.status', expiredJid, '--out', 'json']);
  assert.deepEqual(JSON.parse(status.stdout), { web2: { state: 'expired', connected: true } });
  await assert.rejects(access(expiredMarker), 'an expired job never runs');
});

test('a master killed with kill -9 during a job loses no return: stored ones stay, late ones are delivered', { timeout: 120_000 }, async (t) => {
  const { master } = await fleet(t);
  const ping = await cli(master, 'salt', ['*', 'test.ping', '--show-jid']);
  const pingJid = /^jid: (\d{20})$/m.exec(ping.stdout)![1]!;
  const slow = await cli(master, 'salt', ['db1', 'cmd.run', 'sleep 2; echo survived', '--async']);
  const slowJid = /(\d{20})/.exec(slow.stdout)![1]!;
  master.proc.child.kill('SIGKILL');
  await master.proc.exited;
  await new Promise((resolve) => setTimeout(resolve, 2500)); // the job finishes while the master is down
  await master.restart();
  const stored = await cli(master, 'run', ['jobs.lookup_jid', pingJid, '--out', 'json']);
  assert.deepEqual(JSON.parse(stored.stdout), { db1: true, web1: true, web2: true });
  const late = await eventually(async () => {
    const result = await cli(master, 'run', ['jobs.lookup_jid', slowJid, '--out', 'json']);
    const data = JSON.parse(result.stdout || '{}') as Record<string, unknown>;
    return data.db1 ? data : undefined;
  }, 40_000, 'the late return arrives');
  assert.deepEqual(late, { db1: 'survived' });
  const job = JSON.parse((await cli(master, 'run', ['jobs.list_job', slowJid, '--out', 'json'])).stdout) as Record<string, unknown>;
  assert.equal(job.Function, 'cmd.run');
  assert.deepEqual(job.Minions, ['db1']);
});

test('a forged job published with a raw MQTT client is not executed by any minion', { timeout: 90_000 }, async (t) => {
  const { master, minions } = await fleet(t);
  const { rawAdmin, rawMinion, publishVerdict } = await import('./raw-client.js');
  const marker = join(minions[0]!.dir, 'forged');
  const body = JSON.stringify({ jid: '20260101000000000009', fun: 'cmd.run', arg: [`touch ${marker}`], tgt: '*', tgt_type: 'glob', user: 'root', ret: '', expires: Date.now() + 60_000, issued: Date.now() });
  const forged = JSON.stringify({ v: 1, body, sig: Buffer.from('not a signature').toString('base64') });
  for (const topic of ['saltmq/minion/web1/job', 'salt/job/20260101000000000009/new', 'salt/minion/web1/job']) {
    const admin = await rawAdmin(master);
    t.after(() => admin.end(true));
    assert.equal(await publishVerdict(admin, topic, forged), 'closed', `an admin-side publish to ${topic} is refused`);
  }
  const { outcome } = await rawMinion(master, 'mallory');
  assert.ok('client' in outcome);
  t.after(() => outcome.client.end(true));
  assert.equal(await publishVerdict(outcome.client, 'saltmq/minion/web1/job', forged), 'closed');
  const ping = await cli(master, 'salt', ['web1', 'test.ping']);
  assert.equal(ping.stdout, 'web1:\n    True\n');
  await assert.rejects(access(marker), 'the forged job never ran');
});

test('event.send lands on the bus under the proven id; salt/ tags of others are refused', { timeout: 60_000 }, async (t) => {
  const { master } = await fleet(t);
  const { spawnCli } = await import('./harness.js');
  const watcher = spawnCli(t, master, 'run', ['state.event', 'tagmatch=myapp/*']);
  await new Promise<void>((resolve) => watcher.child.stderr!.on('data', (d: Buffer) => d.toString().includes('listening') && resolve()));
  const sent = await cli(master, 'salt', ['web1', 'event.send', 'myapp/deploy/done', '{"version": "1.2", "id": "db1"}']);
  assert.equal(sent.stdout, 'web1:\n    True\n');
  const line = await watcher.waitForLine((l) => l.startsWith('myapp/deploy/done\t'));
  const data = JSON.parse(line.split('\t')[1]!) as { id: string; cmd: string; data: { version: string; id: string } };
  assert.equal(data.id, 'web1', 'the wrapper carries the proven id, whatever the payload says');
  assert.equal(data.cmd, '_minion_event');
  assert.equal(data.data.version, '1.2');
  const spoof = await cli(master, 'salt', ['web1', 'event.send', 'salt/auth']);
  assert.equal(spoof.code, 1);
  assert.match(spoof.stdout, /may fire under salt\/ only as salt\/minion\/web1/);
});
