import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli, minionReady, startMaster, startMinion, type MasterHandle } from './harness.js';

async function writeTree(root: string, files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

async function withStateTree(t: Parameters<typeof startMaster>[0], extra: Record<string, unknown> = {}): Promise<MasterHandle> {
  return startMaster(t, { auto_accept: true, ...extra });
}

test("the seed's test.sls creates the file from salt://example, then reports no changes, and test=True shows the diff", { timeout: 120_000 }, async (t) => {
  const master = await withStateTree(t);
  const target = join(master.dir, 'example');
  await writeTree(join(master.dir, 'srv/salt'), { 'test.sls': `${target}:\n  file.managed:\n    - source: salt://example\n`, example: 'line one\n' });
  const minion = await startMinion(t, master, 'Minion1');
  await minionReady(minion);

  const first = await cli(master, 'salt', ['Minion1', 'state.sls', 'test']);
  assert.equal(first.code, 0, first.stdout + first.stderr);
  assert.equal(await readFile(target, 'utf8'), 'line one\n');
  const lines = first.stdout.split('\n');
  assert.equal(lines[0], 'Minion1:');
  assert.equal(lines[1], '----------');
  assert.equal(lines[2], `          ID: ${target}`);
  assert.equal(lines[3], '    Function: file.managed');
  assert.equal(lines[4], '      Result: True');
  assert.equal(lines[5], `     Comment: File ${target} updated`);
  assert.match(lines[6]!, /^ {5}Started: \d\d:\d\d:\d\d\.\d{6}$/);
  assert.match(lines[7]!, /^ {4}Duration: \d+\.\d+ ms$/);
  assert.equal(lines[8], '     Changes:   ');
  assert.equal(lines[9], '              ----------');
  assert.equal(lines[10], '              diff:');
  assert.equal(lines[11], '                  New file');
  assert.deepEqual(lines.slice(12, 14), ['              mode:', '                  0644'], 'a new file reports its mode, as in Salt');
  assert.deepEqual(lines.slice(14, 17), ['', 'Summary for Minion1', '------------']);
  assert.equal(lines[17], 'Succeeded: 1 (changed=1)');
  assert.equal(lines[18], 'Failed:    0');
  assert.equal(lines[19], '------------');
  assert.equal(lines[20], 'Total states run:     1');
  assert.match(lines[21]!, /^Total run time: +\d+\.\d{3} ms$/);

  const second = await cli(master, 'salt', ['Minion1', 'state.sls', 'test', '--out', 'json']);
  const ret = JSON.parse(second.stdout) as Record<string, Record<string, { result: boolean; changes: object; comment: string }>>;
  const state = Object.values(ret.Minion1!)[0]!;
  assert.deepEqual([state.result, state.changes, state.comment], [true, {}, `File ${target} is in the correct state`]);

  await writeFile(join(master.dir, 'srv/salt/example'), 'line one\nline two\n');
  const dry = await cli(master, 'salt', ['Minion1', 'state.sls', 'test', 'test=True', '--out', 'json']);
  const dryState = Object.values((JSON.parse(dry.stdout) as typeof ret).Minion1!)[0]! as unknown as { result: null; changes: { diff: string }; comment: string };
  assert.equal(dryState.result, null);
  assert.match(dryState.changes.diff, /\+line two/);
  assert.equal(await readFile(target, 'utf8'), 'line one\n', 'test=True changed nothing');
});

test('a highstate from a top.sls with two environments, requisites with a failure chain, and watch', { timeout: 120_000 }, async (t) => {
  const master = await withStateTree(t);
  const out = join(master.dir, 'out');
  await mkdir(out);
  const base = join(master.dir, 'srv/salt');
  const dev = join(master.dir, 'srv/dev');
  const yaml = (await import('js-yaml')).default;
  const config = yaml.load(await readFile(join(master.configDir, 'master'), 'utf8')) as Record<string, unknown>;
  config.file_roots = { base: [base], dev: [dev] };
  await writeFile(join(master.configDir, 'master'), yaml.dump(config));
  await master.restart();
  await writeTree(base, {
    'top.sls': "base:\n  '*':\n    - common\n  'roles:web':\n    - match: grain\n    - web\ndev:\n  'web*':\n    - devtools\n",
    'common.sls': `${out}/common:\n  file.managed:\n    - contents: common\n`,
    'web.sls': [
      `${out}/web.conf:`,
      '  file.managed:',
      '    - contents: v1',
      'restart_web:',
      '  cmd.wait:',
      `    - name: echo restarted >> ${out}/restarts`,
      '    - watch:',
      `      - file: ${out}/web.conf`,
      'broken:',
      '  cmd.run:',
      '    - name: exit 3',
      'needs_broken:',
      '  cmd.run:',
      `    - name: touch ${out}/never1`,
      '    - require:',
      '      - cmd: broken',
      'needs_needs:',
      '  cmd.run:',
      `    - name: touch ${out}/never2`,
      '    - require:',
      '      - cmd: needs_broken',
      'on_failure:',
      '  cmd.run:',
      `    - name: touch ${out}/onfail`,
      '    - onfail:',
      '      - cmd: broken',
      '',
    ].join('\n'),
  });
  await writeTree(dev, { 'devtools.sls': `${out}/devtools:\n  file.managed:\n    - contents: from dev\n` });
  const minion = await startMinion(t, master, 'web1', { grains: { roles: ['web'] } });
  await minionReady(minion);

  const top = await cli(master, 'salt', ['web1', 'state.show_top', '--out', 'json']);
  assert.deepEqual(JSON.parse(top.stdout), { web1: { base: ['common', 'web'], dev: ['devtools'] } });
  const run = await cli(master, 'salt', ['web1', 'state.apply', '--out', 'json']);
  assert.equal(run.code, 1, 'a failed state: minion retcode 2, CLI exit 1');
  const ret = (JSON.parse(run.stdout) as Record<string, Record<string, { result: boolean; comment: string; __id__: string }>>).web1!;
  const byId = Object.fromEntries(Object.values(ret).map((r) => [r.__id__, r]));
  assert.equal(await readFile(join(out, 'common'), 'utf8'), 'common\n');
  assert.equal(await readFile(join(out, 'devtools'), 'utf8'), 'from dev\n', 'the dev environment served its own file');
  assert.equal(await readFile(join(out, 'restarts'), 'utf8'), 'restarted\n', 'watch ran the cmd.wait once');
  assert.equal(byId.broken!.result, false);
  assert.equal(byId.needs_broken!.result, false);
  assert.match(byId.needs_broken!.comment, /^One or more requisite failed: web\.broken/);
  assert.match(byId.needs_needs!.comment, /^One or more requisite failed: web\.needs_broken/);
  assert.equal(byId.on_failure!.result, true);
  await readFile(join(out, 'onfail'));
  await assert.rejects(readFile(join(out, 'never1')));
  await assert.rejects(readFile(join(out, 'never2')));

  const again = await cli(master, 'salt', ['web1', 'state.apply', '--out', 'json']);
  assert.equal(again.code, 1);
  assert.equal(await readFile(join(out, 'restarts'), 'utf8'), 'restarted\n', 'no change, no restart');
});

test('compile errors give retcode 1 and the list of errors; traversal through cp is refused', { timeout: 90_000 }, async (t) => {
  const master = await withStateTree(t);
  await writeTree(join(master.dir, 'srv/salt'), { 'ok.sls': 'hello:\n  test.nop\n', 'secret-link': 'x' });
  const minion = await startMinion(t, master, 'db1');
  await minionReady(minion);
  const missing = await cli(master, 'salt', ['db1', 'state.sls', 'nosuch']);
  assert.equal(missing.code, 1);
  assert.match(missing.stdout, /^db1:\n {4}Data failed to compile:\n-{10}\n {4}No matching sls found for 'nosuch' in env 'base'/);
  for (const path of ['salt://../../etc/passwd', 'salt:///etc/passwd', 'salt://a/../../../etc/passwd']) {
    const got = await cli(master, 'salt', ['db1', 'cp.get_file_str', path, '--out', 'json']);
    assert.equal(got.code, 1);
    assert.match(String((JSON.parse(got.stdout) as { db1: string }).db1), /^ERROR: refused the path "[^"]+": /, `${path} is refused with a reason`);
  }
});

test("pillar is compiled per minion: each gets its own data and never another minion's", { timeout: 90_000 }, async (t) => {
  const master = await withStateTree(t);
  const out = join(master.dir, 'out');
  await mkdir(out);
  await writeTree(join(master.dir, 'srv/pillar'), {
    'top.sls': "base:\n  '*':\n    - common\n  'app1':\n    - secrets.app1\n  'app2':\n    - secrets.app2\n",
    'common.sls': 'site: lab\nusers:\n  admin:\n    uid: 2001\n',
    'secrets/app1.sls': 'db_password: one-{{ grains["id"] }}\n',
    'secrets/app2.sls': 'db_password: two\n',
  });
  await writeTree(join(master.dir, 'srv/salt'), {
    'conf.sls': `${out}/{{ grains['id'] }}.conf:\n  file.managed:\n    - contents: "{{ pillar['site'] }}:{{ salt['pillar.get']('users:admin:uid') }}:{{ pillar.get('db_password') }}"\n`,
  });
  const [m1, m2] = await Promise.all([startMinion(t, master, 'app1'), startMinion(t, master, 'app2')]);
  await Promise.all([minionReady(m1), minionReady(m2)]);
  const items = await cli(master, 'salt', ['app1', 'pillar.items', '--out', 'json']);
  assert.deepEqual(JSON.parse(items.stdout), { app1: { site: 'lab', users: { admin: { uid: 2001 } }, db_password: 'one-app1' } });
  const got = await cli(master, 'salt', ['*', 'pillar.get', 'db_password', '--out', 'json', '--static']);
  assert.deepEqual(JSON.parse(got.stdout), { app1: 'one-app1', app2: 'two' });
  const applied = await cli(master, 'salt', ['*', 'state.sls', 'conf', '--out', 'json', '--static']);
  assert.equal(applied.code, 0, applied.stdout);
  assert.equal(await readFile(join(out, 'app1.conf'), 'utf8'), 'lab:2001:one-app1\n');
  assert.equal(await readFile(join(out, 'app2.conf'), 'utf8'), 'lab:2001:two\n');
});

test('a 50 MB file reaches a minion intact with bounded memory on both sides', { timeout: 180_000 }, async (t) => {
  const master = await withStateTree(t);
  const { createHash, randomBytes } = await import('node:crypto');
  const { open } = await import('node:fs/promises');
  await mkdir(join(master.dir, 'srv/salt'), { recursive: true });
  const big = await open(join(master.dir, 'srv/salt/big.bin'), 'w');
  const hash = createHash('sha256');
  for (let i = 0; i < 50; i++) {
    const chunk = randomBytes(1024 * 1024);
    hash.update(chunk);
    await big.write(chunk);
  }
  await big.close();
  const minion = await startMinion(t, master, 'bulk1');
  await minionReady(minion);
  const peak = async (pid: number) => Number(/VmHWM:\s+(\d+) kB/.exec(await readFile(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
  const cached = await cli(master, 'salt', ['bulk1', 'cp.cache_file', 'salt://big.bin', '--out', 'json'], undefined, 170_000);
  assert.equal(cached.code, 0, cached.stdout + cached.stderr);
  const path = (JSON.parse(cached.stdout) as { bulk1: string }).bulk1;
  const copy = createHash('sha256').update(await readFile(path)).digest('hex');
  assert.equal(copy, hash.digest('hex'), 'the cached copy is byte-identical');
  const [masterPeak, minionPeak] = [await peak(master.proc.child.pid!), await peak(minion.proc.child.pid!)];
  t.diagnostic(`peak RSS: master ${masterPeak.toFixed(0)} MB, minion ${minionPeak.toFixed(0)} MB`);
  assert.ok(masterPeak < 200 && minionPeak < 200, `neither side held the 50 MB file (master ${masterPeak} MB, minion ${minionPeak} MB)`);
  const again = await cli(master, 'salt', ['bulk1', 'cp.hash_file', 'salt://big.bin', '--out', 'json']);
  assert.match(again.stdout, /"hsum": "[0-9a-f]{64}"/);
});

test('state.single runs one state function without an SLS file', { timeout: 60_000 }, async (t) => {
  const master = await withStateTree(t);
  const minion = await startMinion(t, master, 'one1');
  await minionReady(minion);
  const target = join(master.dir, 'motd');
  const run = await cli(master, 'salt', ['one1', 'state.single', 'file.managed', target, 'contents=hello from state.single', '--out', 'json']);
  assert.equal(run.code, 0, run.stdout);
  assert.equal(await readFile(target, 'utf8'), 'hello from state.single\n');
  const ret = Object.values((JSON.parse(run.stdout) as Record<string, Record<string, { result: boolean; comment: string }>>).one1!)[0]!;
  assert.deepEqual([ret.result, ret.comment], [true, `File ${target} updated`]);
});
