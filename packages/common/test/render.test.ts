import assert from 'node:assert/strict';
import { mkdtemp, rm, utimes, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { SlsRenderer, TemplateError } from '../src/render/index.js';

const renderer = new SlsRenderer();
const render = (text: string, context: Record<string, unknown> = {}) => renderer.renderTemplate(text, context, 'test.sls');
const sls = (text: string, context: Record<string, unknown> = {}, name = 'test.sls') => renderer.renderSls(text, context, name);

const AUTH_EVENT = { act: 'pend', id: 'Minion1', result: true, pub: '-----BEGIN PUBLIC KEY-----', _stamp: '2024-05-01T10:00:00.000000' };
const AUTH_SLS = `{% if 'act' in data and data['act'] == 'pend' and data['id'].startswith('Min') %}
key_accept:
  wheel.key.accept:
    - match: {{ data['id'] }}
{% endif %}
`;
const FLATTENED_AUTH_SLS = `{% if 'act' in data and data['act'] == 'pend' and data['id'].startswith('Min') %}
key_accept:
wheel.key.accept:
- match: {{ data['id'] }}
{% endif %}
`;
const AUTO_SLS = `run_state:
  local.state.sls:
    - tgt: {{ data['id'] }}
    - arg:
      - test
run_init:
  local.cmd.run:
    - tgt: {{ data['id'] }}
    - arg:
      - echo initsok >> /tmp/cpis
`;

async function templateError(promise: Promise<unknown>): Promise<TemplateError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof TemplateError, `expected a TemplateError, got ${String(error)}`);
    assert.equal(error.code, 'ERR_TEMPLATE');
    return error;
  }
  assert.fail('expected the render to fail');
}

test('python string methods work on strings', async () => {
  assert.equal(await render("{{ 'Minion1'.startswith('Min') }} {{ 'a.example.com'.endswith(('.org', '.com')) }} {{ 'x'.startswith(['y']) }}"), 'True True False');
  assert.equal(await render("{{ 'a/b/c'.split('/') }} {{ '  a  b '.split() }} {{ 'a.b.c'.split('.', 1) }} {{ 'a.b.c'.rsplit('.', 1) }}"), "['a', 'b', 'c'] ['a', 'b'] ['a', 'b.c'] ['a.b', 'c']");
  assert.equal(await render("{{ data['path'].split('/')[2] }} {{ data['id'].split('.')[0] }}", { data: { path: '/srv/app/x', id: 'web1.example.com' } }), 'app web1');
  assert.equal(await render("[{{ ' x '.strip() }}|{{ 'i-123'.lstrip('i-') }}|{{ 'x--'.rstrip('-') }}|{{ 'xxhixx'.strip('x') }}]"), '[x|123|x|hi]');
  assert.equal(await render("{{ 'AbC'.lower() }} {{ 'abc'.upper() }} {{ 'hello big world'.title() }} {{ 'hELLO'.capitalize() }} {{ 'a/b/c'.replace('/', '.') }}"), 'abc ABC Hello Big World Hello a.b.c');
  assert.equal(await render("{{ '{}-{}'.format('a', 1) }} {{ '{1}{0}'.format('a', 'b') }} {{ '{name}:{0}'.format(5, name='n') }} {{ \"'{0}'\".format('q') }}"), "a-1 ba n:5 'q'");
  assert.equal(await render("{{ ', '.join(['a', 'b']) }} {{ 'abcb'.find('b') }} {{ 'abcb'.rfind('b') }} {{ 'abcb'.find('z') }} {{ 'abc'.index('c') }} {{ 'abcb'.count('b') }}"), 'a, b 1 3 -1 2 2');
  assert.equal(await render("{{ '123'.isdigit() }} {{ '12a'.isdigit() }} {{ 'ab'.isalpha() }} {{ '42'.zfill(5) }} {{ 'a\\nb\\n'.splitlines() }}"), "True False True 00042 ['a', 'b']");
  await templateError(render("{{ 'abc'.index('z') }}"));
});

test('in tests substrings, list members and dict keys', async () => {
  const context = { data: { act: 'pend' }, list: ['a', 'b'], text: 'TERMINATE now' };
  assert.equal(await render("{{ 'act' in data }} {{ 'id' in data }} {{ 'b' in list }} {{ 'c' not in list }} {{ 'TERMINATE' in text }}", context), 'True False True True True');
});

test('dict and list methods behave as in Python, mutating where Python mutates', async () => {
  const data = { a: 1, items: 'an item' };
  assert.equal(await render("{{ data.get('a') }} {{ data.get('zz') }} {{ data.get('zz', 'dflt') }} {{ data.get('data', {}) }}", { data }), '1 None dflt {}');
  assert.equal(await render("{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %} {{ d.keys()|list }} {{ d.values()|list }}", { d: { x: 1, y: 2 } }), 'x=1;y=2; [\'x\', \'y\'] [1, 2]');
  assert.equal(
    await render("{% set d = {'a': 1} %}{% do d.update({'b': 2}) %}{{ d.setdefault('c', 3) }} {{ d.pop('a') }} {{ d.pop('zz', 'none') }} {{ d }} {{ d.copy() == d }} {{ d.has_key('b') }}"),
    "3 1 none {'b': 2, 'c': 3} True True",
  );
  assert.equal(
    await render("{% set l = [1, 2] %}{% do l.append(3) %}{% do l.extend([4, 5]) %}{% do l.insert(0, 0) %}{% do l.remove(2) %}{{ l.pop() }} {{ l.pop(0) }} {{ l }} {{ l.index(3) }} {{ l.count(1) }}"),
    '5 0 [1, 3, 4] 1 1',
  );
  // `x.items` is the method, `x['items']` the item, as in Jinja; `x.key` falls back to the item.
  assert.equal(await render("{{ data['items'] }} {{ data.a }} {{ data.items()|length }}", { data }), 'an item 1 2');
});

test('slices work on strings and lists', async () => {
  assert.equal(await render("{{ 'abcd'[1:] }} {{ 'abcd'[:-1] }} {{ 'abcdef'[::2] }} {{ 'abc'[::-1] }} {{ 'abc'[-1] }}"), 'bcd abc ace cba c');
  assert.equal(await render("{{ l[1:] }} {{ l[:-1] }} {{ l[::2] }} {{ l[-2:] }} {{ l[10:] }} {{ l[-1] }}", { l: [1, 2, 3, 4] }), '[2, 3, 4] [1, 2, 3] [1, 3] [3, 4] [] 4');
});

test('python literals and jinja tests are available', async () => {
  assert.equal(await render('{{ True }} {{ False }} {{ None }} {{ none }} {{ true and not false }}'), 'True False None None True');
  const context = { s: 'x', n: 3, d: { a: 1 }, l: [1], nothing: null };
  assert.equal(
    await render('{{ s is defined }} {{ zz is defined }} {{ zz is undefined }} {{ nothing is none }} {{ s is none }} {{ s is string }} {{ n is number }} {{ d is mapping }} {{ l is mapping }}', context),
    'True False True True False True True True False',
  );
  assert.equal(await render('{{ l is iterable }} {{ d is iterable }} {{ n is iterable }} {{ d is sameas d }} {{ n is equalto 3 }} {{ n is equalto(4) }} {{ s is not none }}', context), 'True True False True True False True');
  assert.equal(await render("{{ 'Minion1' is match('Min') }} {{ 'xMinion1' is match('Min') }} {{ 'web01' is match('web\\\\d+$') }} {{ 'WEB' is match('web', ignorecase=True) }}"), 'True False True True');
});

test('filters that salt templates use render as in salt', async () => {
  const data = { id: 'web1', tags: ['b', 'a', 'b'], nested: { k: true, n: null } };
  assert.equal(await render('{{ data|json }}', { data }), '{"id": "web1", "nested": {"k": true, "n": null}, "tags": ["b", "a", "b"]}');
  assert.equal(await render("{{ {'x': '<&>'}|tojson }}"), '{"x": "\\u003c\\u0026\\u003e"}');
  assert.equal(await render('{{ data|yaml }}', { data }), '{id: web1, nested: {k: true, n: null}, tags: [b, a, b]}');
  assert.equal(await render("{{ 'a \"q\"'|yaml_dquote }} {{ \"it's\"|yaml_squote }} {{ 'x'|yaml_encode }} {{ 2|yaml_encode }} {{ none|yaml_encode }}"), '"a \\"q\\"" \'it\'\'s\' "x" 2 null');
  assert.equal(await render("{{ missing|default('d') }} {{ missing|d('d2') }} {{ ''|default('e', true) }} {{ l|length }} {{ l|count }} {{ l|join(',') }}", { l: [1, 2] }), 'd d2 e 2 2 1,2');
  assert.equal(await render("{{ 'AbC'|lower }} {{ 'abc'|upper }} {{ 'a-b'|replace('-', '_') }} {{ l|first }} {{ l|last }} {{ l|unique|list }} {{ l|sort }} {{ 'ab'|list }}", { l: ['b', 'a', 'b'] }), "abc ABC a_b b b ['b', 'a'] ['a', 'b', 'b'] ['a', 'b']");
  assert.equal(await render("{{ 5|string }} {{ True|string }} {{ '42'|int + 1 }} {{ 'x'|int }} {{ '2.5'|float }} {{ 'yes'|bool }} {{ 'no'|to_bool }} {{ 'hello world'|capitalize }} {{ 'hello world'|title }} [{{ '  t '|trim }}]"), '5 True 43 0 2.5 True False Hello world Hello World [t]');
  const people = [{ name: 'a', role: 'db', n: 3 }, { name: 'b', role: 'web', n: 1 }, { name: 'c', role: 'db', n: 2 }];
  assert.equal(await render("{{ p|map(attribute='name')|list }} {{ p|selectattr('role', 'equalto', 'db')|map(attribute='name')|join(',') }} {{ p|rejectattr('role', 'equalto', 'db')|map(attribute='name')|list }}", { p: people }), "['a', 'b', 'c'] a,c ['b']");
  assert.equal(await render("{{ [1, 2, 3, 4]|select('odd')|list }} {{ [1, 2, 3, 4]|reject('odd')|list }} {{ {'b': 1, 'a': 2}|dictsort }} {{ [3, 1, 2]|min }} {{ [3, 1, 2]|max }} {{ [3, 1, 2]|sum }} {{ p|sum(attribute='n') }}", { p: people }), "[1, 3] [2, 4] [['a', 2], ['b', 1]] 1 3 6 6");
  assert.equal(await render("{{ 'web-01'|regex_replace('-(\\\\d+)', '_\\\\1') }} {{ 'ab12'|regex_search('([a-z]+)(\\\\d+)') }} {{ 'ab12'|regex_match('\\\\d') }} {{ \"it's here\"|quote }} {{ 'plain'|quote }}"), "web_01 ['ab', '12'] None 'it'\"'\"'s here' plain");
});

test('jinja statements: do, set, for, if, raw, comments and whitespace control', async () => {
  assert.equal(await render("{% set l = [] %}{% do l.append('x') %}{{ l }}"), "['x']");
  assert.equal(await render('{% set greeting %}hi {{ who }}{% endset %}{{ greeting|upper }}', { who: 'you' }), 'HI YOU');
  assert.equal(await render('{% for x in l %}{{ loop.index }}{% if loop.first %}F{% endif %}{{ x }} {% endfor %}', { l: ['a', 'b'] }), '1Fa 2b ');
  assert.equal(await render("{% for k, v in {'a': 1}.items() %}{{ k }}{{ v }}{% endfor %}{% for k in {'b': 2} %}{{ k }}{% endfor %}"), 'a1b');
  assert.equal(await render("{% if n > 2 %}big{% elif n > 1 %}mid{% else %}small{% endif %}", { n: 2 }), 'mid');
  assert.equal(await render('{% raw %}{{ kept }}{% endraw %}{# gone #}'), '{{ kept }}');
  assert.equal(await render('a\n  {%- if true -%}\n  b\n{%- endif %}'), 'ab');
  assert.equal(await render('{% set ns = namespace(found=false) %}{% for i in [1, 2] %}{% set ns.found = true %}{% endfor %}{{ ns.found }}'), 'True');
});

test('import, from-import with context and include read from the search paths', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'render-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'macros'));
  await writeFile(join(dir, 'macros', 'keys.sls'), '{% macro accept(id) %}accept_{{ id }}:\n  wheel.key.accept:\n    - match: {{ id }}\n{% endmacro %}');
  await writeFile(join(dir, 'macros', 'who.sls'), "{% macro who() %}{{ data['id'] }}{% endmacro %}");
  await writeFile(join(dir, 'ping.sls'), "ping_{{ data['id'] }}:\n  local.test.ping:\n    - tgt: {{ data['id'] }}\n");
  const files = new SlsRenderer({ searchPaths: [dir] });
  const text = "{% import 'macros/keys.sls' as keys %}{% from 'macros/who.sls' import who with context %}\n{{ keys.accept(who()) }}\n{% include 'ping.sls' %}\n";
  assert.deepEqual(await files.renderSls(text, { data: { id: 'm1' } }, 'top.sls'), {
    accept_m1: { 'wheel.key.accept': [{ match: 'm1' }] },
    ping_m1: { 'local.test.ping': [{ tgt: 'm1' }] },
  });
  await templateError(files.renderSls("{% include '../outside.sls' %}", {}, join(dir, 'x.sls')));
  await templateError(files.renderSls("{% include 'a/../../outside.sls' %}", {}, 'x.sls'));
});

test('~ concatenates and % formats strings', async () => {
  assert.equal(await render("{{ 'salt/' ~ data['id'] ~ '/' ~ 3 ~ True ~ none ~ missing }}", { data: { id: 'm1' } }), 'salt/m1/3TrueNone');
  assert.equal(await render("{{ '%s-%d' % (a, b) }} {{ 'Event: %s' % a }} {{ '%05.1f|%-3s|%3d' % (3.14159, 'x', 7) }} {{ '%(k)s' % {'k': 'v'} }} {{ 7 % 3 }} {{ -7 % 3 }}", { a: 'x', b: 4 }), 'x-4 Event: x 003.1|x  |  7 v 1 2');
  const error = await templateError(render("{{ '%d' % 'text' }}"));
  assert.match(error.reason, /%d format: a number is required/);
});

test('salt functions run through item and attribute access, async ones once per render', async () => {
  const calls: string[] = [];
  const salt = {
    'cmd.run': async (cmd: string) => {
      calls.push(cmd);
      await new Promise((resolve) => setImmediate(resolve));
      return `ran ${cmd}`;
    },
    'pillar.get': (key: string, dflt: unknown) => (key === 'a:b' ? dflt : undefined),
    'log.info': (message: string) => void calls.push(`log ${message}`),
  };
  const seen: string[] = [];
  const text = "{% do seen.append('x') %}{% do salt.log.info('start') %}{{ salt['cmd.run']('hostname') }}|{{ salt.cmd.run('id') }}|{{ salt['pillar.get']('a:b', 'dflt') }}|{{ salt['cmd.run']('hostname') }}";
  assert.equal(await render(text, { salt, seen }), 'ran hostname|ran id|dflt|ran hostname');
  // Two identical calls in the template run twice, as in Salt; replaying passes ran nothing again.
  assert.deepEqual(calls, ['log start', 'hostname', 'id', 'hostname']);
  assert.deepEqual(seen, ['x'], 'a list change made before a suspended call is undone before the replay');
  const error = await templateError(render("ok\n{{ salt['cmd.run']('boom') if false else salt['nope.fun']() }}", { salt }));
  assert.equal(error.line, 2);
  assert.match(error.reason, /salt has no function 'nope\.fun'/);
  const many = new SlsRenderer({ maxPasses: 3 });
  await templateError(many.renderTemplate("{% for i in range(5) %}{{ salt['cmd.run'](i) }}{% endfor %}", { salt }));
});

test('the seed auth reactor accepts Min* keys and renders nothing for other ids', async () => {
  assert.deepEqual(await sls(AUTH_SLS, { tag: 'salt/auth', data: AUTH_EVENT }), { key_accept: { 'wheel.key.accept': [{ match: 'Minion1' }] } });
  assert.equal(await sls(AUTH_SLS, { tag: 'salt/auth', data: { ...AUTH_EVENT, id: 'web1' } }), null);
});

test('the seed auto reactor renders both reactions', async () => {
  assert.deepEqual(await sls(AUTO_SLS, { tag: 'salt/minion/Minion1/start', data: { id: 'Minion1' } }), {
    run_state: { 'local.state.sls': [{ tgt: 'Minion1' }, { arg: ['test'] }] },
    run_init: { 'local.cmd.run': [{ tgt: 'Minion1' }, { arg: ['echo initsok >> /tmp/cpis'] }] },
  });
});

test('a reactor whose indentation was lost fails with a hint at the ID line', async () => {
  const error = await templateError(sls(FLATTENED_AUTH_SLS, { tag: 'salt/auth', data: AUTH_EVENT }, '/srv/reactor/auth.sls'));
  assert.equal(error.file, '/srv/reactor/auth.sls');
  assert.equal(error.phase, 'yaml');
  assert.equal(error.line, 2); // line 1 of the output is the blank left by the {% if %} line
  assert.match(error.message, /key_accept/);
  assert.match(error.hint ?? '', /looks flattened: indent the lines under 'key_accept:'/);
  const nested = await templateError(sls('key_accept:\n  wheel.key.accept:\n- match: x\n'));
  assert.equal(nested.line, 3);
  assert.match(nested.hint ?? '', /indent the lines under 'wheel\.key\.accept:'/);
});

test('jinja syntax and runtime errors name the file and line', async () => {
  const syntax = await templateError(sls('a: 1\n{{ data[ }}\n', {}, 'broken.sls'));
  assert.deepEqual([syntax.file, syntax.line, syntax.phase], ['broken.sls', 2, 'jinja']);
  const unclosed = await templateError(sls('a: 1\n{% if x %}\nb: 2\n', {}, 'open.sls'));
  assert.equal(unclosed.line, 4);
  const thrown = await templateError(sls('a: 1\n\nb: {{ f() }}\n', { f: () => (JSON.parse('null') as { length: number }).length }, 'js.sls'));
  assert.deepEqual([thrown.file, thrown.line], ['js.sls', 3]);
  assert.match(thrown.reason, /TypeError/);
});

test('reading through a missing key raises a jinja-style undefined error', async () => {
  assert.equal(await render('[{{ missing }}][{{ data.missing }}]', { data: {} }), '[][]');
  const error = await templateError(render("line1\n{{ data['missing']['x'] }}", { data: {} }));
  assert.equal(error.line, 2);
  assert.match(error.reason, /'dict object' has no attribute 'missing'/);
  const variable = await templateError(render('{{ nothing.x }}'));
  assert.match(variable.reason, /'nothing' is undefined/);
});

test('yaml follows pyyaml for booleans and nulls and keeps dates as strings', async () => {
  const loose = new SlsRenderer({ checkStructure: false });
  assert.deepEqual(await loose.renderSls('a: yes\nb: No\nc: on\nd: OFF\ne: True\nf: false\ng: ~\nh: null\ni:\nj: 2024-01-02\nk: 0644\nl: "yes"\n', {}, 'y.sls'), {
    a: true, b: false, c: true, d: false, e: true, f: false, g: null, h: null, i: null, j: '2024-01-02', k: 644, l: 'yes',
  });
  assert.equal(await render("{{ {'s': 'yes', 'n': 'n', 'b': True}|yaml }}"), "{b: true, n: n, s: 'yes'}");
  assert.deepEqual(await loose.renderSls('base: &b\n  a: 1\n  b: 2\nx:\n  <<: *b\n  b: 3\n', {}, 'merge.sls'), { base: { a: 1, b: 2 }, x: { a: 1, b: 3 } });
  assert.deepEqual(await sls("#!yaml\nx:\n  y: '{{ kept }}'\n", {}, 'raw.sls'), { x: { y: '{{ kept }}' } });
  assert.deepEqual(await sls('#!jinja|json\n{"id": {{ data.id|tojson }}}', { data: { id: 'm1' } }, 'j.sls'), { id: 'm1' });
  assert.deepEqual(await sls('orch:\n  runner.state.orchestrate:\n    - pillar: {event_data: {{ data|json }}}\n', { data: { id: 'm1', ok: true } }, 'o.sls'), {
    orch: { 'runner.state.orchestrate': [{ pillar: { event_data: { id: 'm1', ok: true } } }] },
  });
});

test('renderFile compiles once and picks up a changed file', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'render-file-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'auth.sls');
  await writeFile(file, AUTH_SLS);
  const files = new SlsRenderer({ recheckMs: 0 });
  assert.deepEqual(await files.renderFile(file, { data: AUTH_EVENT }), { key_accept: { 'wheel.key.accept': [{ match: 'Minion1' }] } });
  await writeFile(file, "changed_{{ data['id'] }}:\n  local.test.ping: []\n");
  await utimes(file, new Date(), new Date(Date.now() + 10_000));
  assert.deepEqual(await files.renderFile(file, { data: AUTH_EVENT }), { changed_Minion1: { 'local.test.ping': [] } });
  await templateError(files.renderFile(join(dir, 'missing.sls'), {}));
});

test('rendering a small reactor file is fast (timing printed, not asserted)', async () => {
  const context = { tag: 'salt/auth', data: AUTH_EVENT };
  for (let i = 0; i < 1000; i++) await sls(AUTH_SLS, context);
  const rounds = 20_000;
  const started = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) await sls(AUTH_SLS, context);
  const micros = Number(process.hrtime.bigint() - started) / 1000 / rounds;
  console.log(`# renderSls(auth.sls): ${micros.toFixed(2)} µs per render (jinja + yaml)`);
});
