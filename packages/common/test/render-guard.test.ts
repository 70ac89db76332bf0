import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { SlsRenderer, TemplateError } from '../src/render/index.js';

const guarded = new SlsRenderer({ guardOutput: true });
const plain = new SlsRenderer();
const sls = (text: string, context: Record<string, unknown>, renderer = guarded) => renderer.renderSls(text, context, 'reactor.sls');

const INJECTION = "x\nevil:\n  local.cmd.run:\n    - tgt: '*'\n    - arg:\n      - touch /tmp/pwned";
const REACTOR = "notify:\n  runner.event.send:\n    - tag: app/seen\n    - data:\n        msg: {{ data['data']['msg'] }}\n        quoted: '{{ data['data']['msg'] }}'\n";

test("Salt's own reading lets event data add a reaction; the guarded render keeps it a string", async () => {
  const data = { data: { msg: INJECTION } };
  const plainOnly = REACTOR.split('\n').filter((line) => !line.includes('quoted')).join('\n');
  const unguarded = (await sls(plainOnly, { data }, plain)) as Record<string, unknown>;
  assert.ok('evil' in unguarded, 'without the guard the payload adds a reaction (the weakness being fixed)');
  const rendered = (await sls(REACTOR, { data })) as Record<string, Record<string, unknown[]>>;
  assert.deepEqual(Object.keys(rendered), ['notify']);
  assert.deepEqual(rendered.notify!['runner.event.send']![1], { data: { msg: INJECTION, quoted: INJECTION } });
});

test('ordinary values render exactly as before: ids, paths, numbers, booleans, lists and commands', async () => {
  const text = [
    "{{ data['id'] }}_accept:",
    '  local.cmd.run:',
    "    - tgt: {{ data['id'] }}",
    '    - arg:',
    "      - 'echo {{ data['data']['cmd'] }} > /tmp/{{ data['id'] }}.out'",
    "      - {{ data['data']['n'] }}",
    "      - {{ data['data']['flag'] }}",
    "      - {{ data['data']['none'] }}",
    "      - {{ data['data']['path'] }}",
    "      - {{ data['data']['colon'] }}",
    "    - kwarg: {{ data['data']['kw'] }}",
    "    - ids: {{ data['data']['ids'] }}",
    "    - empty: {{ data['data']['empty'] }}",
    '',
  ].join('\n');
  const data = { id: 'web-1.example.com', data: { cmd: 'a: b && c', n: 42, flag: true, none: null, path: '/srv/app/v1.2', colon: 'key: value', kw: { pillar: { a: 1 } }, ids: ['a', 'b'], empty: '' } };
  const ours = await sls(text, { data });
  assert.deepEqual(ours, {
    'web-1.example.com_accept': {
      'local.cmd.run': [
        { tgt: 'web-1.example.com' },
        { arg: ['echo a: b && c > /tmp/web-1.example.com.out', 42, true, 'None', '/srv/app/v1.2', 'key: value'] },
        { kwarg: { pillar: { a: 1 } } },
        { ids: ['a', 'b'] },
        { empty: null },
      ],
    },
  });
  // The only difference from Salt's reading is the value that would have become a mapping.
  const salts = (await sls(text, { data }, plain)) as Record<string, Record<string, { arg?: unknown[] }[]>>;
  assert.deepEqual(salts['web-1.example.com_accept']!['local.cmd.run']![1]!.arg!.slice(0, 5), ['echo a: b && c > /tmp/web-1.example.com.out', 42, true, 'None', '/srv/app/v1.2']);
});

test('structure the author asks for still works: |json, |tojson, |yaml, |yaml_dquote, macros', async () => {
  const text = [
    '{% macro target(id) %}{{ id }}{% endmacro %}',
    'orch:',
    '  runner.state.orchestrate:',
    '    - args:',
    '      - mods: orch.new',
    '      - pillar:',
    '          event_data: {{ data|json }}',
    '          as_tojson: {{ data|tojson }}',
    '          as_yaml: {{ data|yaml }}',
    '          as_dquote: {{ data.data.msg|yaml_dquote }}',
    '          from_macro: {{ target(data.id) }}',
    '',
  ].join('\n');
  const data = { id: 'web1', data: { msg: INJECTION } };
  const rendered = (await sls(text, { data })) as Record<string, Record<string, Record<string, unknown>[]>>;
  const pillar = rendered.orch!['runner.state.orchestrate']![0]!.args as Record<string, unknown>[];
  assert.deepEqual(pillar[1], { pillar: { event_data: data, as_tojson: data, as_yaml: data, as_dquote: INJECTION, from_macro: 'web1' } });
});

test('a payload that tries wheel.key.accept for another id or an alias bomb renders as a plain string', async () => {
  const accept = "x\nsneaky:\n  wheel.key.accept:\n    - match: victim";
  const bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]';
  const text = "log:\n  runner.event.send:\n    - tag: app/{{ data['id'] }}\n    - data: {a: {{ data['data']['a'] }}, b: {{ data['data']['b'] }}}\n    - raw: {{ data['data']['b'] }}\n";
  const rendered = (await sls(text, { data: { id: 'm1', data: { a: accept, b: bomb } } })) as Record<string, Record<string, unknown[]>>;
  assert.deepEqual(Object.keys(rendered), ['log']);
  assert.deepEqual(rendered.log!['runner.event.send'], [{ tag: 'app/m1' }, { data: { a: accept, b: bomb } }, { raw: bomb }]);
});

test('an alias bomb written into the file itself is refused instead of expanded', async () => {
  const levels = ['a: &a [x,x,x,x,x,x,x,x,x,x]'];
  for (let i = 1; i < 8; i++) levels.push(`l${i}: &l${i} [${Array(10).fill(i === 1 ? '*a' : `*l${i - 1}`).join(',')}]`);
  await assert.rejects(sls(`${levels.join('\n')}\n`, {}), (error: unknown) => error instanceof TemplateError && /expands to more than 1000000 nodes/.test(error.message));
});

test('captured blocks, includes, load_yaml and import_yaml resolve their printed values', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'saltmq-guard-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'defaults.yaml'), 'owner: {{ data.id }}\nnote: {{ data.data.msg }}\n');
  await writeFile(join(dir, 'part.sls'), 'included:\n  test.echo:\n    - text: {{ data.data.msg }}\n');
  const renderer = new SlsRenderer({ guardOutput: true, searchPaths: [dir] });
  const text = [
    "{% set greeting %}hello {{ data['id'] }}{% endset %}",
    "{% import_yaml 'defaults.yaml' as defaults %}",
    '{% load_yaml as inline %}',
    'who: {{ data.id }}',
    '{% endload %}',
    "{% include 'part.sls' %}",
    'main:',
    '  test.echo:',
    '    - greeting: {{ greeting }}',
    '    - same: {{ greeting == "hello m1" }}',
    '    - owner: {{ defaults.owner }}',
    '    - note: {{ defaults.note }}',
    '    - who: {{ inline.who }}',
    '',
  ].join('\n');
  const data = { id: 'm1', data: { msg: INJECTION } };
  const rendered = (await renderer.renderSls(text, { data }, 'captures.sls')) as Record<string, Record<string, unknown[]>>;
  assert.deepEqual(Object.keys(rendered).sort(), ['included', 'main']);
  assert.deepEqual(rendered.included!['test.echo'], [{ text: INJECTION }]);
  assert.deepEqual(rendered.main!['test.echo'], [{ greeting: 'hello m1' }, { same: true }, { owner: 'm1' }, { note: INJECTION }, { who: 'm1' }]);
});

test('a YAML error in a guarded render shows the printed values, not placeholders', async () => {
  await assert.rejects(sls("a:\n  - {{ data.x }}\n b: [\n", { data: { x: 'x y' } }), (error: unknown) => error instanceof TemplateError && !/SALTMQ/.test(error.message));
});
