import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import yaml from 'js-yaml';
import { loadOrCreateMinionKeys } from '../../packages/minion/src/keys.js';
import { SILENT_LOGGER } from '@saltmq/common';
import { callCli, cli, eventually, minionReady, spawnCli, startMaster, startMinion, type MasterHandle } from './harness.js';
import { masterTrust, minionPassword, publishVerdict, rawConnect } from './raw-client.js';

/** A watcher on the master's bus, ready when this resolves. */
async function watchBus(t: TestContext, master: MasterHandle, tagmatch: string) {
  const watcher = spawnCli(t, master, 'run', ['state.event', `tagmatch=${tagmatch}`]);
  await new Promise<void>((resolve) => watcher.child.stderr!.on('data', (d: Buffer) => d.toString().includes('listening') && resolve()));
  return watcher;
}

/** A minion config directory with no agent running (a machine that has only saltmq-call). */
async function minionConfig(t: TestContext, options: Record<string, unknown>): Promise<{ dir: string; configDir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'saltmq-e2e-call-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const configDir = join(dir, 'etc');
  await mkdir(configDir, { recursive: true });
  await writeFile(join(configDir, 'minion'), yaml.dump({ root_dir: dir, log_level: 'warning', ...options }));
  return { dir, configDir };
}

test('saltmq-call test.ping next to the running agent: the agent keeps its session and its jobs, during and after', { timeout: 90_000 }, async (t) => {
  const master = await startMaster(t, { auto_accept: true });
  await mkdir(join(master.dir, 'srv/salt'), { recursive: true });
  await writeFile(join(master.dir, 'srv/salt/hello.txt'), 'hello from the master\n');
  await mkdir(join(master.dir, 'srv/pillar'), { recursive: true });
  await writeFile(join(master.dir, 'srv/pillar/top.sls'), "base:\n  'web*':\n    - app\n");
  await writeFile(join(master.dir, 'srv/pillar/app.sls'), 'app:\n  port: 8080\n');
  const minion = await startMinion(t, master, 'web1');
  await minionReady(minion);

  const returns = await watchBus(t, master, 'salt/job/*/ret/web1');
  const ping = await callCli(minion.configDir, ['test.ping']);
  assert.equal(ping.stdout, 'local:\n    True\n');
  assert.equal(ping.code, 0);
  // as salt-call's, the return goes to the master: an event and a job in the job cache
  const line = await returns.waitForLine((l) => l.startsWith('salt/job/'));
  const ret = JSON.parse(line.split('\t')[1]!) as { jid: string; fun: string; return: unknown; id: string; cmd: string };
  assert.deepEqual([ret.fun, ret.return, ret.id, ret.cmd], ['test.ping', true, 'web1', '_return']);
  assert.deepEqual(JSON.parse((await cli(master, 'run', ['jobs.lookup_jid', ret.jid, '--out=json'])).stdout), { web1: true });
  const quiet = await callCli(minion.configDir, ['test.ping', '--no-return-event']);
  assert.equal(quiet.code, 0);
  // a job published after the quiet call returned: its return comes after anything the call sent
  assert.equal((await cli(master, 'salt', ['web1', 'test.echo', 'marker'])).code, 0);
  await returns.waitForLine((l) => l.includes('"test.echo"'));
  const funs = returns.lines.map((l) => (JSON.parse(l.split('\t')[1]!) as { fun: string }).fun);
  assert.deepEqual(funs, ['test.ping', 'test.echo'], '--no-return-event sent nothing');
  const json = await callCli(minion.configDir, ['cp.get_file_str', 'salt://hello.txt', '--out=json']);
  assert.deepEqual(JSON.parse(json.stdout), { local: 'hello from the master\n' }, 'salt:// comes from the master through the call session');
  const port = await callCli(minion.configDir, ['pillar.get', 'app:port']);
  assert.equal(port.stdout, 'local:\n    8080\n', "the minion's pillar comes from the master");

  // a call that is still running while the master sends the agent a job
  const slow = callCli(minion.configDir, ['test.sleep', '1']);
  const during = await cli(master, 'salt', ['web1', 'test.ping', '--out=json']);
  assert.deepEqual(JSON.parse(during.stdout), { web1: true });
  assert.equal((await slow).stdout, 'local:\n    True\n');

  const after = await cli(master, 'salt', ['web1', 'cmd.run', 'echo still here', '--out=json']);
  assert.deepEqual(JSON.parse(after.stdout), { web1: 'still here' });
  assert.ok(!minion.proc.logs.some((r) => r.msg === 'connection to the master lost; reconnecting'), 'the agent was never kicked off');
  assert.equal(minion.proc.logs.filter((r) => r.msg === 'minion ready').length, 1, 'the agent connected once');
});

test('saltmq-call event.send triggers a reactor on the master, wrapped with the proven id as from the agent', { timeout: 90_000 }, async (t) => {
  const master = await startMaster(t, { auto_accept: true });
  const out = join(master.dir, 'reacted');
  await mkdir(join(master.dir, 'srv/reactor'), { recursive: true });
  await writeFile(
    join(master.dir, 'srv/reactor/build.sls'),
    `record:\n  local.cmd.run:\n    - tgt: {{ data['id'] }}\n    - arg:\n      - echo {{ data['data']['rev'] }} {{ data['id'] }} > ${out}\n`,
  );
  const config = yaml.load(await readFile(join(master.configDir, 'master'), 'utf8')) as Record<string, unknown>;
  config.reactor = [{ 'myco/build/done': [join(master.dir, 'srv/reactor/build.sls')] }];
  await writeFile(join(master.configDir, 'master'), yaml.dump(config));
  await master.restart();
  const minion = await startMinion(t, master, 'web1');
  await minionReady(minion);
  const watcher = await watchBus(t, master, 'myco/*');

  const sent = await callCli(minion.configDir, ['event.send', 'myco/build/done', '{"rev": "abc", "id": "db1"}']);
  assert.equal(sent.stdout, 'local:\n    True\n');
  assert.equal(sent.code, 0);
  const line = await watcher.waitForLine((l) => l.startsWith('myco/build/done\t'));
  const data = JSON.parse(line.split('\t')[1]!) as { id: string; cmd: string; tag: string; data: Record<string, unknown> };
  assert.equal(data.id, 'web1', 'the id is the one the call session proved, whatever the data says');
  assert.equal(data.cmd, '_minion_event');
  assert.deepEqual(data.data, { rev: 'abc', id: 'db1' });
  // the reaction is a job for the agent: it ran while the call had come and gone
  assert.equal(await eventually(() => readFile(out, 'utf8').catch(() => undefined), 30_000, 'the reactor ran cmd.run on web1'), 'abc web1\n');

  const refused = await callCli(minion.configDir, ['event.fire_master', '{}', 'salt/minion/db1/start']);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /^Error running .event\.fire_master.: .*may fire under salt\/ only as salt\/minion\/web1/);
});

test('a call session cannot fire events as another id, nor claim another id, nor take jobs', { timeout: 60_000 }, async (t) => {
  const master = await startMaster(t, { auto_accept: true });
  const db = await startMinion(t, master, 'db1');
  await minionReady(db);
  const { configDir } = await minionConfig(t, { id: 'web1', master: '127.0.0.1', master_port: master.port });
  assert.equal((await callCli(configDir, ['test.ping'])).code, 0, 'web1 exists only as saltmq-call (its key auto-accepted)');
  const keys = await loadOrCreateMinionKeys(join(configDir, '..', 'etc/saltmq/pki/minion'), 2048, SILENT_LOGGER);
  const trust = await masterTrust(master);
  const watcher = await watchBus(t, master, 'spoof/*');

  const claim = await rawConnect(master, trust.cert, { clientId: 'db1/call/abcdefgh12', username: 'web1', password: minionPassword('web1', keys, trust.finger) });
  assert.ok('refused' in claim, 'a call client id must name the proven id');

  const connected = await rawConnect(master, trust.cert, { clientId: 'web1/call/abcdefgh12', username: 'web1', password: minionPassword('web1', keys, trust.finger) });
  assert.ok('client' in connected);
  const { grants } = await import('./raw-client.js');
  assert.deepEqual(await grants(connected.client, ['saltmq/minion/web1/job', 'saltmq/minion/db1/job', 'saltmq/call/web1/abcdefgh12/resp']), [128, 128, 1]);
  const verdict = await publishVerdict(connected.client, 'saltmq/minion/db1/event', JSON.stringify({ v: 1, tag: 'spoof/as-db1', data: {} }));
  assert.equal(verdict, 'closed', 'the broker cut the session that tried to speak for db1');

  const legit = await callCli(configDir, ['event.send', 'spoof/as-web1']);
  assert.equal(legit.code, 0);
  const line = await watcher.waitForLine((l) => l.startsWith('spoof/as-web1\t'));
  assert.equal((JSON.parse(line.split('\t')[1]!) as { id: string }).id, 'web1');
  assert.ok(!watcher.lines.some((l) => l.startsWith('spoof/as-db1')), 'the forged event never reached the bus');

  // while a call session of web1 is connected, web1 is still not a connected minion: jobs wait for its agent
  const live = await rawConnect(master, trust.cert, { clientId: 'web1/call/zyxwvuts98', username: 'web1', password: minionPassword('web1', keys, trust.finger) });
  assert.ok('client' in live);
  t.after(() => live.client.end(true));
  const ping = await cli(master, 'salt', ['*', 'test.ping', '--out=json', '--static']);
  const returns = JSON.parse(ping.stdout) as Record<string, unknown>;
  assert.equal(returns.db1, true);
  assert.match(String(returns.web1), /Not connected/, 'a call session is not the minion and takes no jobs');
  assert.ok(db.proc.running);
});

test('saltmq-call --local state.apply provisions from a local tree with no master at all', { timeout: 60_000 }, async (t) => {
  const { dir, configDir } = await minionConfig(t, { id: 'image1', master: '127.0.0.1', master_port: 1 });
  await mkdir(join(dir, 'srv/salt/web'), { recursive: true });
  await mkdir(join(dir, 'srv/pillar'), { recursive: true });
  const motd = join(dir, 'motd');
  await writeFile(join(dir, 'srv/salt/top.sls'), "base:\n  '*':\n    - web\n");
  await writeFile(join(dir, 'srv/salt/web/init.sls'), `${motd}:\n  file.managed:\n    - source: salt://web/motd.j2\n    - template: jinja\n`);
  await writeFile(join(dir, 'srv/salt/web/motd.j2'), "{{ pillar['greeting'] }} from {{ grains['id'] }}\n");
  await writeFile(join(dir, 'srv/salt/broken.sls'), "fails:\n  cmd.run:\n    - name: 'false'\n");
  await writeFile(join(dir, 'srv/pillar/top.sls'), "base:\n  'image*':\n    - common\n");
  await writeFile(join(dir, 'srv/pillar/common.sls'), 'greeting: baked\n');

  const applied = await callCli(configDir, ['--local', 'state.apply', '--out=json']);
  assert.equal(applied.code, 0, applied.stderr);
  const ret = JSON.parse(applied.stdout) as { local: Record<string, { result: boolean }> };
  assert.deepEqual(Object.values(ret.local).map((r) => r.result), [true]);
  assert.equal(await readFile(motd, 'utf8'), 'baked from image1\n');
  const again = await callCli(configDir, ['--local', 'state.apply']);
  assert.match(again.stdout, /^local:\n/);
  assert.match(again.stdout, /Succeeded: 1\n/);

  const failed = await callCli(configDir, ['--local', 'state.apply', 'broken']);
  assert.equal(failed.code, 1, 'a failed state is exit 1 by default');
  assert.equal((await callCli(configDir, ['--local', 'state.apply', 'broken', '--retcode-passthrough'])).code, 2, 'and 2 with --retcode-passthrough, as Salt');
  const pillar = await callCli(configDir, ['--local', 'pillar.get', 'greeting']);
  assert.equal(pillar.stdout, 'local:\n    baked\n');
  const exit3 = await callCli(configDir, ['--local', 'cmd.run', 'exit 3']);
  assert.equal(exit3.code, 1);
  assert.match(exit3.stderr, /^\[ERROR {3}\] command failed \(.*retcode=3\)$/m, "logs read like salt-call's console, not JSON");
  assert.equal((await callCli(configDir, ['--local', '--id', 'other1', 'grains.get', 'id'])).stdout, 'local:\n    other1\n', '--id runs as another id');
  const grains = JSON.parse((await callCli(configDir, ['--local', '--grains', '--out=json'])).stdout) as { local: Record<string, unknown> };
  assert.equal(grains.local.id, 'image1', '--grains is grains.items');
  assert.match((await callCli(configDir, ['--local', '-d', 'test.ping'])).stdout, /^local:\n {4}-+\n {4}test\.ping:\n {8}Used to make sure/, '-d is sys.doc');
  const event = await callCli(configDir, ['--local', 'event.send', 'x/y']);
  assert.equal(event.code, 1);
  assert.match(event.stderr, /^Error running .event\.send.: .*masterless/);
  assert.deepEqual(await readdir(join(dir, 'etc')), ['minion'], 'masterless: no keys were made, no master pinned');
});

test("Salt's messages: an unknown function, a master that is not there, a key not yet accepted", { timeout: 60_000 }, async (t) => {
  const master = await startMaster(t, {});
  const { configDir } = await minionConfig(t, { id: 'new1', master: '127.0.0.1', master_port: master.port });

  const unknown = await callCli(configDir, ['foo.bar']);
  assert.equal(unknown.code, 255, 'salt-call exits with sys.exit(-1)');
  assert.equal(unknown.stderr, "'foo.bar' is not available.\n");
  assert.equal(unknown.stdout, '');
  const module = await callCli(configDir, ['test']);
  assert.equal(module.code, 1, 'a module name prints its docs, as salt-call does');
  assert.match(module.stdout, /^local:\n/);
  assert.match(module.stdout, /\n {4}test:\n {8}'test' is not available\.\n/);
  assert.match(module.stdout, /\n {4}test\.ping:\n/);
  const badArgs = await callCli(configDir, ['test.echo']);
  assert.equal(badArgs.code, 1);
  assert.match(badArgs.stderr, /^\nPassed invalid arguments: missing required argument 'text'\.\n\nUsage:\n\n {4}Return a string/);
  assert.equal(badArgs.stdout, '', 'salt-call checks the arguments before it runs or connects');

  const pending = await callCli(configDir, ['test.ping']);
  assert.equal(pending.code, 2);
  assert.match(pending.stderr, /has the minion key been accepted\?/);
  assert.match(pending.stderr, /saltmq-key -a new1/);
  assert.deepEqual(await readdir(join(master.pkiDir, 'minions_pre')), ['new1'], 'the call filed the key for acceptance, as salt-call does');
  const accept = await cli(master, 'key', ['-a', 'new1', '-y']);
  assert.equal(accept.code, 0, accept.stderr);
  const ping = await callCli(configDir, ['test.ping']);
  assert.equal(ping.stdout, 'local:\n    True\n');

  await master.proc.stop();
  const away = await callCli(configDir, ['test.ping']);
  assert.equal(away.code, 2);
  assert.match(away.stderr, /Cannot reach the master at 127\.0\.0\.1:\d+/);
  assert.match(away.stderr, /use --local/);
});

test('deleting the key ends a running call session: what it asks the master after that is refused', { timeout: 90_000 }, async (t) => {
  const master = await startMaster(t, { auto_accept: true });
  const out = join(master.dir, 'fetched');
  await mkdir(join(master.dir, 'srv/salt'), { recursive: true });
  await writeFile(join(master.dir, 'srv/salt/hello.txt'), 'hello\n');
  await writeFile(
    join(master.dir, 'srv/salt/slow.sls'),
    `wait:\n  cmd.run:\n    - name: touch ${out}.started && sleep 3\nfetch:\n  file.managed:\n    - name: ${out}\n    - source: salt://hello.txt\n    - require:\n      - cmd: wait\n`,
  );
  const minion = await startMinion(t, master, 'web1');
  await minionReady(minion);
  const running = callCli(minion.configDir, ['state.sls', 'slow']);
  // the call has its states from the master and is inside `sleep 3`
  await eventually(() => readFile(`${out}.started`).then(() => true, () => false), 30_000, 'the call is running its states');
  assert.equal((await cli(master, 'key', ['-d', 'web1', '-y'])).code, 0);
  const result = await running;
  assert.equal(result.code, 1, result.stdout + result.stderr);
  assert.match(result.stdout, /ID: fetch\n {4}Function: file\.managed\n {8}Name: .*\n {6}Result: False/);
  await assert.rejects(readFile(out), 'the file never came from the master once the key was gone');
});
