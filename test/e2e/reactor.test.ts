import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { seedFiles } from '../../lab/seed-files.mjs';
import { cli, eventually, minionReady, spawnCli, startMaster, startMinion, type MasterHandle } from './harness.js';

async function seedMaster(t: Parameters<typeof startMaster>[0], startPattern = 'salt/minion/Minion/start'): Promise<MasterHandle> {
  // the root is only known after mkdtemp: start once to learn it, then write the files and restart
  const master = await startMaster(t, {});
  // the lab's copy of the seed's files, each machine's /tmp moved to the test's root
  const files = await seedFiles({ reactorTmp: master.dir, stateTmp: master.dir });
  const { mkdir, writeFile } = await import('node:fs/promises');
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(master.dir, path, '..'), { recursive: true });
    await writeFile(join(master.dir, path), content);
  }
  const yaml = (await import('js-yaml')).default;
  const config = yaml.load(await readFile(join(master.configDir, 'master'), 'utf8')) as Record<string, unknown>;
  config.reactor = [{ 'salt/auth': [join(master.dir, 'srv/reactor/Minion.sls')] }, { [startPattern]: [join(master.dir, 'srv/reactor/auto.sls')] }];
  await writeFile(join(master.configDir, 'master'), yaml.dump(config));
  await master.restart();
  return master;
}

test('the seed scenario: a Min* minion is accepted by the reactor and provisions itself; web1 stays pending', { timeout: 120_000 }, async (t) => {
  const master = await seedMaster(t, 'salt/minion/Min*/start');
  const minion = await startMinion(t, master, 'Minion1');
  const web = await startMinion(t, master, 'web1');
  await minionReady(minion, 30_000);
  const cpis = await eventually(() => readFile(join(master.dir, 'cpis'), 'utf8').catch(() => undefined), 30_000, 'cmd.run wrote cpis');
  assert.equal(cpis, 'initsok\n');
  const example = await eventually(() => readFile(join(master.dir, 'example'), 'utf8').catch(() => undefined), 30_000, 'state.sls test made the file');
  assert.equal(example, await readFile(join(master.dir, 'srv/salt/example'), 'utf8'), 'the file has the content of salt://example');
  assert.deepEqual(await readdir(join(master.pkiDir, 'minions')), ['Minion1']);
  // web1 started together with Minion1 but may reach the master after Minion1 was provisioned
  await eventually(async () => (await readdir(join(master.pkiDir, 'minions_pre'))).includes('web1'), 20_000, 'web1 filed as pending');
  assert.deepEqual(await readdir(join(master.pkiDir, 'minions_pre')), ['web1'], 'web1 does not match and waits for a human');
  assert.ok(web.proc.running);
  const keys = await cli(master, 'key', ['-L']);
  assert.equal(keys.stdout, 'Accepted Keys:\nMinion1\nDenied Keys:\nUnaccepted Keys:\nweb1\nRejected Keys:\n');
});

test('a literal start tag works as in the seed, and the flattened copy of Minion.sls fails loudly with a hint', { timeout: 120_000 }, async (t) => {
  const master = await seedMaster(t);
  const { writeFile } = await import('node:fs/promises');
  await writeFile(join(master.dir, 'srv/reactor/Minion.sls'), "{% if 'act' in data and data['act'] == 'pend' and data['id'].startswith('Min') %}\nkey_accept:\nwheel.key.accept:\n- match: {{ data['id'] }}\n{% endif %}\n");
  const watcher = spawnCli(t, master, 'run', ['state.event', 'tagmatch=salt/reactor/error']);
  await new Promise<void>((resolve) => watcher.child.stderr!.on('data', (d: Buffer) => d.toString().includes('listening') && resolve()));
  await startMinion(t, master, 'Minion');
  const line = await watcher.waitForLine((l) => l.startsWith('salt/reactor/error\t'), 30_000);
  const error = JSON.parse(line.split('\t')[1]!) as Record<string, unknown>;
  assert.equal(error.tag, 'salt/auth');
  assert.equal(error.sls, join(master.dir, 'srv/reactor/Minion.sls'));
  assert.equal(error.line, 2);
  assert.match(String(error.message), /flattened: indent the lines under 'key_accept:'/);
  assert.deepEqual(await readdir(join(master.pkiDir, 'minions')), [], 'nothing was accepted by the broken file');
});

test('patterns, several matching entries, both argument syntaxes, loops and template errors', { timeout: 120_000 }, async (t) => {
  const master = await startMaster(t, { auto_accept: true });
  const target = await startMinion(t, master, 'box1');
  await minionReady(target);
  const { mkdir, writeFile } = await import('node:fs/promises');
  const dir = join(master.dir, 'srv/reactor');
  await mkdir(dir, { recursive: true });
  const out = join(master.dir, 'out');
  await mkdir(out);
  const files: Record<string, string> = {
    'old.sls': `old_local:\n  local.cmd.run:\n    - tgt: box1\n    - arg:\n      - echo old >> ${out}/{{ data['n'] }}\n    - kwarg:\n        cwd: /\nold_runner:\n  runner.event.send:\n    - tag: app/ran/old/{{ data['n'] }}\n`,
    'new.sls': `new_local:\n  cmd.cmd.run:\n    - tgt: box1\n    - args:\n      - cmd: echo new >> ${out}/{{ data['n'] }}\nnew_runner:\n  runner.event.send:\n    - args:\n      - tag: app/ran/new/{{ data['n'] }}\nnew_wheel:\n  wheel.key.finger:\n    - args:\n      - match: box1\n`,
    'loop.sls': `{% for i in range(3) %}\nloop_{{ i }}:\n  local.cmd.run:\n    - tgt: box1\n    - arg:\n      - echo loop{{ i }} >> ${out}/loop\n{% endfor %}\n`,
    'broken.sls': `oops:\n  local.cmd.run:\n    - tgt: {{ data['missing']['x'] }}\n`,
  };
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  const yaml = (await import('js-yaml')).default;
  const config = yaml.load(await readFile(join(master.configDir, 'master'), 'utf8')) as Record<string, unknown>;
  config.reactor = [
    { 'app/go/*': [join(dir, 'old.sls'), join(dir, 'broken.sls')] },
    { 'app/go/\\d+': join(dir, 'new.sls') },
    { 'app/loop': join(dir, 'loop.sls') },
  ];
  await writeFile(join(master.configDir, 'master'), yaml.dump(config));
  master.proc.child.kill('SIGHUP');
  await master.proc.waitForLog((r) => r.msg === 'reactor config reloaded');

  const watcher = spawnCli(t, master, 'run', ['state.event']);
  await new Promise<void>((resolve) => watcher.child.stderr!.on('data', (d: Buffer) => d.toString().includes('listening') && resolve()));
  assert.equal((await cli(master, 'run', ['event.send', 'app/go/7', 'data={"n": 7}'])).code, 0);
  assert.equal((await cli(master, 'run', ['event.send', 'app/loop'])).code, 0);
  await eventually(async () => (await readFile(join(out, '7'), 'utf8').catch(() => '')).split('\n').length === 3, 30_000, 'both local reactions ran');
  assert.deepEqual((await readFile(join(out, '7'), 'utf8')).split('\n').filter(Boolean).sort(), ['new', 'old']);
  await watcher.waitForLine((l) => l.startsWith('app/ran/old/7\t'));
  await watcher.waitForLine((l) => l.startsWith('app/ran/new/7\t'));
  const wheelRet = await watcher.waitForLine((l) => /^salt\/wheel\/\d{20}\/ret\t/.test(l));
  assert.match(wheelRet, /"fun": "wheel.key.finger", "jid": "\d{20}", "user": "Reactor"/);
  const error = await watcher.waitForLine((l) => l.startsWith('salt/reactor/error\t') && l.includes('broken.sls'));
  assert.match(error, /has no attribute 'missing'/);
  await eventually(async () => (await readFile(join(out, 'loop'), 'utf8').catch(() => '')).split('\n').filter(Boolean).length === 3, 30_000, 'the loop made three jobs');
  const dry = await cli(master, 'run', ['reactor.test', 'tag=app/go/8', 'data={"n": 8}', '--out', 'json']);
  const report = JSON.parse(dry.stdout) as { matched: unknown[]; reactions: { id: string; call: string }[] }[];
  assert.deepEqual(report[0]!.matched, [{ 'app/go/*': [join(dir, 'old.sls'), join(dir, 'broken.sls')] }, { 'app/go/\\d+': [join(dir, 'new.sls')] }]);
  assert.deepEqual(report[0]!.reactions.map((r) => `${r.id}:${r.call}`).sort(), ['new_local:local.cmd.run', 'new_runner:runner.event.send', 'new_wheel:wheel.key.finger', 'old_local:local.cmd.run', 'old_runner:runner.event.send']);
  await assert.rejects(readFile(join(out, '8')), 'the dry run executed nothing');
});

test('a master killed in the middle of a burst of 1,000 events reacts to every event exactly once', { timeout: 240_000 }, async (t) => {
  const master = await startMaster(t, { auto_accept: true });
  const target = await startMinion(t, master, 'burst1');
  await minionReady(target);
  const { mkdir, writeFile } = await import('node:fs/promises');
  const sls = join(master.dir, 'srv/reactor/burst.sls');
  await mkdir(join(master.dir, 'srv/reactor'), { recursive: true });
  await writeFile(sls, "echo:\n  local.test.echo:\n    - tgt: burst1\n    - arg:\n      - {{ tag }}\n");
  const yaml = (await import('js-yaml')).default;
  const config = yaml.load(await readFile(join(master.configDir, 'master'), 'utf8')) as Record<string, unknown>;
  config.reactor = [{ 'burst/*': sls }];
  await writeFile(join(master.configDir, 'master'), yaml.dump(config));
  await master.restart();

  const { adminRequest, rawAdmin } = await import('./raw-client.js');
  const admin = await rawAdmin(master);
  await admin.subscribeAsync(`saltmq/admin/${admin.options.clientId}/resp`);
  const total = 1000;
  await Promise.all(Array.from({ length: total }, (_, i) => adminRequest(admin, 'event.fire', { tag: `burst/${i}`, data: { i } })));
  admin.end(true);
  const before = JSON.parse((await cli(master, 'run', ['reactor.status', '--out', 'json'])).stdout) as { queued_events: number; queued_reactions: number; catching_up: boolean };
  master.proc.child.kill('SIGKILL');
  await master.proc.exited;
  await master.restart();

  const jobs = await eventually(async () => {
    const listed = JSON.parse((await cli(master, 'run', ['jobs.list_jobs', 'search_function=test.echo', '--out', 'json'])).stdout || '{}') as Record<string, { Arguments: string[] }>;
    return Object.keys(listed).length >= total ? listed : undefined;
  }, 180_000, 'every event reacted to');
  await new Promise((resolve) => setTimeout(resolve, 1000)); // anything published twice would show up by now
  const again = JSON.parse((await cli(master, 'run', ['jobs.list_jobs', 'search_function=test.echo', '--out', 'json'])).stdout) as Record<string, { Arguments: string[] }>;
  const counts = new Map<string, number>();
  for (const job of Object.values(again)) counts.set(job.Arguments[0]!, (counts.get(job.Arguments[0]!) ?? 0) + 1);
  assert.equal(counts.size, total, 'one job for each event');
  assert.ok([...counts.values()].every((n) => n === 1), 'no event reacted to twice');
  assert.equal(Object.keys(jobs).length, total);
  t.diagnostic(`at the kill the reactor still had ${before.queued_events} events and ${before.queued_reactions} reactions queued (catching up: ${before.catching_up})`);
});

test('reactor.list/add/delete change the map at run time; salt:// and glob paths resolve; journal replays dry', { timeout: 90_000 }, async (t) => {
  const master = await startMaster(t, { auto_accept: true });
  const { mkdir, writeFile } = await import('node:fs/promises');
  await mkdir(join(master.dir, 'srv/salt/reactor'), { recursive: true });
  await mkdir(join(master.dir, 'srv/reactor'), { recursive: true });
  await writeFile(join(master.dir, 'srv/salt/reactor/from-fileserver.sls'), 'fs:\n  runner.event.send:\n    - tag: app/fs/{{ data["n"] }}\n');
  await writeFile(join(master.dir, 'srv/reactor/a.sls'), 'a:\n  runner.event.send:\n    - tag: app/glob-a/{{ data["n"] }}\n');
  await writeFile(join(master.dir, 'srv/reactor/b.sls'), 'b:\n  runner.event.send:\n    - tag: app/glob-b/{{ data["n"] }}\n');

  assert.deepEqual(JSON.parse((await cli(master, 'run', ['reactor.list', '--out', 'json'])).stdout), []);
  const added = await cli(master, 'run', ['reactor.add', 'app/ping', 'reactors=["salt://reactor/from-fileserver.sls", "' + join(master.dir, 'srv/reactor/*.sls') + '"]', '--out', 'json']);
  assert.deepEqual(JSON.parse(added.stdout), { status: true, comment: 'Reactor added.' });
  assert.deepEqual(JSON.parse((await cli(master, 'run', ['reactor.add', 'app/ping', 'reactors=x.sls', '--out', 'json'])).stdout), { status: false, comment: 'Reactor already exists.' });

  const watcher = spawnCli(t, master, 'run', ['state.event', 'tagmatch=app/*']);
  await new Promise<void>((resolve) => watcher.child.stderr!.on('data', (d: Buffer) => d.toString().includes('listening') && resolve()));
  await cli(master, 'run', ['event.send', 'app/ping', 'data={"n": 1}']);
  for (const tag of ['app/fs/1', 'app/glob-a/1', 'app/glob-b/1']) await watcher.waitForLine((l) => l.startsWith(`${tag}\t`));

  const status = JSON.parse((await cli(master, 'run', ['reactor.status', '--out', 'json'])).stdout) as { next_seq: number };
  const dry = JSON.parse((await cli(master, 'run', ['reactor.test', `journal=1-${status.next_seq}`, '--out', 'json'])).stdout) as { tag: string; reactions: unknown[] }[];
  const replayed = dry.find((e) => e.tag === 'app/ping');
  assert.ok(replayed, 'the recorded app/ping event is in the journal');
  assert.equal(replayed.reactions.length, 3);

  assert.deepEqual(JSON.parse((await cli(master, 'run', ['reactor.delete', 'app/ping', '--out', 'json'])).stdout), { status: true, comment: 'Reactor deleted.' });
  assert.deepEqual(JSON.parse((await cli(master, 'run', ['reactor.delete', 'app/ping', '--out', 'json'])).stdout), { status: false, comment: 'Reactor does not exists.' });
});
