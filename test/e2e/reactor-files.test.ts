/**
 * Reactor files as Salt users write them (the constructs a survey of public reactor files found),
 * master-side template functions, clear errors for what Salt ignores or rejects, and event data that
 * tries to inject reactions. Every file here is triggered by a real event on a real master.
 */
import assert from 'node:assert/strict';
import { access, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import yaml from 'js-yaml';
import { cli, eventually, minionReady, spawnCli, startMaster, startMinion, type MasterHandle } from './harness.js';

async function writeTree(root: string, files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), text);
  }
}

/** Points the running master's `reactor:` at `map` and reloads it. */
async function setReactor(master: MasterHandle, map: Record<string, string | string[]>[], extra: Record<string, unknown> = {}): Promise<void> {
  const config = yaml.load(await readFile(join(master.configDir, 'master'), 'utf8')) as Record<string, unknown>;
  await writeFile(join(master.configDir, 'master'), yaml.dump({ ...config, ...extra, reactor: map }));
  // SIGHUP re-reads the reactor map only; other options take a restart, as in Salt.
  if (Object.keys(extra).length) return master.restart();
  master.proc.child.kill('SIGHUP');
  await master.proc.waitForLog((r) => r.msg === 'reactor config reloaded');
}

async function eventWatcher(t: Parameters<typeof startMaster>[0], master: MasterHandle) {
  const watcher = spawnCli(t, master, 'run', ['state.event', '--out', 'json']);
  await new Promise<void>((resolve) => watcher.child.stderr!.on('data', (d: Buffer) => d.toString().includes('listening') && resolve()));
  const consumed = new Set<string>(); // each event is returned once (lines carry a unique _stamp)
  const parse = (line: string) => JSON.parse(line.slice(line.indexOf('\t') + 1)) as Record<string, unknown>;
  return {
    /** The next event not returned before whose tag matches and whose data passes `accept`. */
    async next(tag: string | RegExp, accept: (data: Record<string, unknown>) => boolean = () => true, timeoutMs = 30_000): Promise<Record<string, unknown>> {
      const tagOk = (l: string) => (typeof tag === 'string' ? l.startsWith(`${tag}\t`) : tag.test(l.split('\t')[0]!));
      const line = await watcher.waitForLine((l) => !consumed.has(l) && tagOk(l) && accept(parse(l)), timeoutMs);
      consumed.add(line);
      return parse(line);
    },
  };
}

const CONSTRUCTS = `{# a comment, and a commented-out reaction:
old:
  local.test.ping:
    - tgt: '*'
#}
{% import_yaml 'defaults.yaml' as defaults %}
{% import_json 'defaults.json' as jdefaults %}
{% from 'macros.jinja' import label with context %}
{% set seen = [] %}
{% set info = {'tag': tag} %}
{% do seen.append(data.id) %}
{% do info.update({'who': data.data.user}) %}
{% do salt.log.info('constructs for %s' % data.id) %}
{% set roles = salt['pillar.get']('roles', []) %}
{% set enabled = roles|selectattr('enabled')|map(attribute='name')|list %}
{%- if data['id'] is match('web[0-9]+') and 'user' in data.data %}
report:
  runner.event.send:
    - tag: app/constructs/result
    - data:
        attr: {{ data.data.user }}
        nested: {{ data.data.meta.build }}
        percent: {{ 'build %s of %s' % (data.data.meta.build, data.id) }}
        tilde: {{ data.id ~ '/' ~ data.data.user }}
        seen: {{ seen|json }}
        info: {{ info|json }}
        raw: '{% raw %}{{ not rendered }}{% endraw %}'
        dquote: {{ data.data.note|yaml_dquote }}
        encoded: {{ data.data.meta.build|yaml_encode }}
        encdict: {{ data.data.meta|json_encode_dict|json }}
        enabled: {{ enabled|json }}
        unique: {{ [1, 2, 2, 3, 1]|unique|list|json }}
        diff: {{ ['a', 'b']|compare_lists(['b', 'c'])|json }}
        greeting: {{ defaults.greeting }}
        ports: {{ defaults.ports|json }}
        retries: {{ jdefaults.retries }}
        label: {{ label('x') }}
        channel: {{ salt['pillar.get']('notify_channel') }}
        missing: {{ salt['pillar.get']('nope', {})|json }}
        tier: {{ salt['pillar.get']('tier', 'none', pillarenv='dev') }}
        env: {{ salt['environ.get']('SALTMQ_E2E_MARK') }}
        master_id: {{ grains['id'] }}
        master_id_fn: {{ salt['grains.get']('id') }}
        keys: {{ salt['saltutil.wheel']('key.list_all')['minions']|json }}
        rules: {{ salt['saltutil.runner']('reactor.list')|length }}
{%- endif %}
`;

test('every construct users write renders and runs in a triggered reactor file, with the master’s own pillar, grains and functions', { timeout: 120_000 }, async (t) => {
  process.env.SALTMQ_E2E_MARK = 'from-the-environment';
  const master = await startMaster(t, {});
  await writeTree(master.dir, {
    'srv/reactor/constructs.sls': CONSTRUCTS,
    'srv/reactor/defaults.yaml': 'greeting: hello {{ data.id }}\nports: [80, 443]\n',
    'srv/reactor/defaults.json': '{"retries": 3}\n',
    'srv/reactor/macros.jinja': "{% macro label(x) %}{{ data['id'] }}-{{ x }}{% endmacro %}\n",
    'srv/pillar/top.sls': "base:\n  '*':\n    - master\n",
    'srv/pillar/master.sls': 'notify_channel: ops\nroles:\n  - {name: web, enabled: true}\n  - {name: db, enabled: false}\n  - {name: cache, enabled: true}\n',
    'srv/pillar-dev/top.sls': "dev:\n  '*':\n    - settings\n",
    'srv/pillar-dev/settings.sls': 'tier: development\n',
  });
  await setReactor(master, [{ 'app/constructs': join(master.dir, 'srv/reactor/constructs.sls') }], {
    pillar_roots: { base: [join(master.dir, 'srv/pillar')], dev: [join(master.dir, 'srv/pillar-dev')] },
  });
  const events = await eventWatcher(t, master);
  const payload = { id: 'web7', data: { user: 'ana', note: 'she said "hi": ok', meta: { build: 42 } } };
  assert.equal((await cli(master, 'run', ['event.send', 'app/constructs', `data=${JSON.stringify(payload)}`])).code, 0);
  const result = await events.next('app/constructs/result');
  const masterId = String(result.master_id);
  assert.match(masterId, /_master$/);
  const { _stamp, ...rest } = result;
  assert.ok(_stamp);
  assert.deepEqual(rest, {
    attr: 'ana',
    nested: 42,
    percent: 'build 42 of web7',
    tilde: 'web7/ana',
    seen: ['web7'],
    info: { tag: 'app/constructs', who: 'ana' },
    raw: '{{ not rendered }}',
    dquote: 'she said "hi": ok',
    encoded: 42,
    encdict: { build: 42 },
    enabled: ['web', 'cache'],
    unique: [1, 2, 3],
    diff: { new: ['c'], old: ['a'] },
    greeting: 'hello web7',
    ports: [80, 443],
    retries: 3,
    label: 'web7-x',
    channel: 'ops',
    missing: {},
    tier: 'development',
    env: 'from-the-environment',
    master_id: masterId,
    master_id_fn: masterId,
    keys: [],
    rules: 1,
  });
  await master.proc.waitForLog((r) => r.msg === 'template log' && r.message === 'constructs for web7');
});

test('what Salt ignores or rejects gets a clear warning or a salt/reactor/error naming the file and the ID', { timeout: 120_000 }, async (t) => {
  const master = await startMaster(t, { reactors: [{ 'never/*': '/nowhere.sls' }] });
  await master.proc.waitForLog((r) => r.option === 'reactors' && r.suggestion === 'reactor' && /did you mean 'reactor'/.test(String(r.msg)));
  const dir = join(master.dir, 'srv/reactor');
  await writeTree(dir, {
    'exprform.sls': "old_name:\n  local.test.ping:\n    - tgt: 'nobody'\n    - expr_form: list\n",
    'requisites.sls': 'first:\n  runner.event.send:\n    - tag: app/req/first\nsecond:\n  runner.event.send:\n    - tag: app/req/second\n    - require:\n      - runner: first\n',
    'py.sls': '#!py\ndef run():\n    return {}\n',
    'argsmap.sls': 'args_as_map:\n  runner.event.send:\n    - args:\n        tag: app/never\n',
    'argstring.sls': "args_as_string:\n  local.cmd.run:\n    - tgt: '*'\n    - args:\n      - 'echo hi'\n",
    'kwarglist.sls': "kwarg_as_list:\n  local.cmd.run:\n    - tgt: '*'\n    - arg:\n      - 'echo hi'\n    - kwarg:\n      - cwd\n",
  });
  const names = ['exprform', 'requisites', 'py', 'argsmap', 'argstring', 'kwarglist'];
  await setReactor(master, names.map((name) => ({ [`app/err/${name}`]: join(dir, `${name}.sls`) })));
  const events = await eventWatcher(t, master);
  const errorFor = async (name: string) => {
    assert.equal((await cli(master, 'run', ['event.send', `app/err/${name}`])).code, 0);
    return events.next('salt/reactor/error', (e) => e.sls === join(dir, `${name}.sls`));
  };
  assert.equal((await cli(master, 'run', ['event.send', 'app/err/exprform'])).code, 0);
  await master.proc.waitForLog((r) => r.msg === 'reactor warning' && r.sls === join(dir, 'exprform.sls') && r.reaction === 'old_name' && /renamed 'tgt_type'.*Salt 3006 ignores it/.test(String(r.message)));
  assert.equal((await cli(master, 'run', ['event.send', 'app/err/requisites'])).code, 0);
  await events.next('app/req/first');
  await events.next('app/req/second');
  await master.proc.waitForLog((r) => r.msg === 'reactor warning' && r.reaction === 'second' && /requisites \(require\) are ignored/.test(String(r.message)));
  const py = await errorFor('py');
  assert.equal(py.sls, join(dir, 'py.sls'));
  assert.match(String(py.message), /Python renderer \(#!py\) is not supported/);
  for (const [name, id] of [['argsmap', 'args_as_map'], ['argstring', 'args_as_string'], ['kwarglist', 'kwarg_as_list']] as const) {
    const error = await errorFor(name);
    assert.equal(error.sls, join(dir, `${name}.sls`), name);
    assert.equal(error.reaction, id, name);
    assert.match(String(error.message), /Incorrect argument format/, name);
  }
});

test('event data cannot inject reactions: a cmd.run, a key accept for another id and an alias bomb stay plain strings', { timeout: 120_000 }, async (t) => {
  const master = await startMaster(t, {});
  const out = join(master.dir, 'out');
  await mkdir(out);
  await writeTree(master.dir, {
    'srv/reactor/relay.sls': [
      'relay:',
      '  runner.event.send:',
      '    - tag: app/relayed/{{ data["id"] }}',
      '    - data:',
      "        msg: {{ data['data']['msg'] }}",
      "        quoted: '{{ data['data']['msg'] }}'",
      '        cmd: echo {{ data["data"]["msg"] }}',
      '',
    ].join('\n'),
  });
  await setReactor(master, [{ 'app/relay': join(master.dir, 'srv/reactor/relay.sls') }]);
  const box = await startMinion(t, master, 'box1');
  await box.proc.waitForLog((r) => /pending|not accepted|waiting/i.test(String(r.msg)));
  assert.equal((await cli(master, 'key', ['-a', 'box1', '-y'])).code, 0);
  await minionReady(box, 30_000);
  const victim = await startMinion(t, master, 'victim');
  await eventually(async () => (await readdir(join(master.pkiDir, 'minions_pre'))).includes('victim'), 20_000, 'victim waits in minions_pre');
  const events = await eventWatcher(t, master);

  const attempts = {
    cmd: `x\nevil:\n  local.cmd.run:\n    - tgt: box1\n    - arg:\n      - touch ${out}/pwned`,
    accept: 'x\nsneaky:\n  wheel.key.accept:\n    - match: victim',
    bomb: `a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: [*b,*b,*b,*b,*b,*b,*b,*b,*b]`,
  };
  for (const [name, msg] of Object.entries(attempts)) {
    const sent = await cli(master, 'salt', ['box1', 'event.send', 'app/relay', `data=${JSON.stringify({ msg })}`]);
    assert.equal(sent.code, 0, `${name}: ${sent.stdout}${sent.stderr}`);
    const relayed = await events.next('app/relayed/box1');
    assert.equal(relayed.msg, msg, `${name}: the whole value arrives as one string`);
    assert.equal(relayed.quoted, msg, name);
    assert.equal(relayed.cmd, `echo ${msg}`, name);
  }
  // A reaction the payload added would have run by now; give a job time to land, then look.
  assert.equal((await cli(master, 'salt', ['box1', 'test.ping'])).code, 0);
  await assert.rejects(access(join(out, 'pwned')), 'no injected cmd.run ran');
  assert.deepEqual(await readdir(join(master.pkiDir, 'minions')), ['box1'], 'victim was not accepted');
  assert.ok(victim.proc.running);
  const jobs = JSON.parse((await cli(master, 'run', ['jobs.list_jobs', '--out', 'json'])).stdout) as Record<string, { Function: string }>;
  assert.deepEqual([...new Set(Object.values(jobs).map((job) => job.Function))].sort(), ['event.send', 'test.ping'], 'only the jobs this test published');
});

test('a start event runs an orchestration: a state on the new minion, then a function elsewhere only if it succeeded, and an onfail branch', { timeout: 180_000 }, async (t) => {
  const master = await startMaster(t, { auto_accept: true });
  const out = join(master.dir, 'out');
  await mkdir(out);
  await writeTree(master.dir, {
    'srv/reactor/start.sls': [
      "{% if data['id'].startswith('app') %}",
      'provision:',
      '  runner.state.orchestrate:',
      '    - args:',
      '      - mods: orch.provision',
      '      - pillar:',
      '          event_data: {{ data|json }}',
      '{% endif %}',
      '',
    ].join('\n'),
    'srv/salt/orch/provision.sls': [
      "{% set new = salt['pillar.get']('event_data:id') %}",
      'apply_base:',
      '  salt.state:',
      '    - tgt: {{ new }}',
      '    - sls: base',
      'announce:',
      '  salt.function:',
      '    - name: cmd.run',
      '    - tgt: monitor',
      '    - arg:',
      `      - echo {{ new }} ready >> ${out}/announce`,
      '    - require:',
      '      - salt: apply_base',
      'rollback:',
      '  salt.function:',
      '    - name: cmd.run',
      '    - tgt: monitor',
      '    - arg:',
      `      - echo {{ new }} failed >> ${out}/announce`,
      '    - onfail:',
      '      - salt: apply_base',
      '',
    ].join('\n'),
    'srv/salt/base.sls': [
      `${out}/{{ grains['id'] }}.base:`,
      '  file.managed:',
      '    - contents: ok',
      "{% if grains['id'] == 'app2' %}",
      'broken:',
      '  cmd.run:',
      "    - name: 'exit 1'",
      '{% endif %}',
      '',
    ].join('\n'),
  });
  await setReactor(master, [{ 'salt/minion/*/start': join(master.dir, 'srv/reactor/start.sls') }]);
  const events = await eventWatcher(t, master);
  await minionReady(await startMinion(t, master, 'monitor'));
  await minionReady(await startMinion(t, master, 'app1'));
  const started = await events.next(/^salt\/run\/\d{20}\/new$/, (e) => e.fun === 'runner.state.orchestrate');
  assert.equal(started.fun, 'runner.state.orchestrate');
  const finished = await events.next(/^salt\/run\/\d{20}\/ret$/, (e) => e.jid === started.jid, 60_000);
  assert.equal(finished.fun, 'runner.state.orchestrate');
  assert.equal(finished.jid, started.jid);
  assert.equal(await readFile(join(out, 'app1.base'), 'utf8'), 'ok\n');
  assert.deepEqual((await readFile(join(out, 'announce'), 'utf8')).split('\n').filter(Boolean), ['app1 ready']);

  await minionReady(await startMinion(t, master, 'app2'));
  await eventually(async () => (await readFile(join(out, 'announce'), 'utf8')).split('\n').filter(Boolean).length === 2, 60_000, 'the second orchestration finished');
  assert.deepEqual((await readFile(join(out, 'announce'), 'utf8')).split('\n').filter(Boolean), ['app1 ready', 'app2 failed'], 'the state failed on app2: announce was skipped, rollback ran');
});
