import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import nunjucks from 'nunjucks';
import { SlsRenderer, TemplateError } from '../src/render/index.js';

const renderer = new SlsRenderer();
const render = (text: string, context: Record<string, unknown> = {}) => renderer.renderTemplate(text, context, 'extras.sls');

test('nunjucks itself keeps its own semantics for other users in the process', async () => {
  assert.equal(await render('{{ [1, 2] }} {{ {} or 1 }}'), '[1, 2] 1');
  assert.equal(nunjucks.renderString('{{ [1, 2] }} {{ {} or 1 }} {{ x.y }}', {}), '1,2 [object Object] ');
});

test('printed values read back as python literals, which yaml parses as flow collections', async () => {
  assert.equal(await render('{{ v }}', { v: { a: "it's", b: [true, null, 1.5], c: 'x' } }), `{'a': "it's", 'b': [True, None, 1.5], 'c': 'x'}`);
  assert.deepEqual(await renderer.renderSls('r:\n  local.test.ping:\n    - tgt: {{ ids }}\n    - tgt_type: list\n', { ids: ['a', 'b'] }, 'list.sls'), {
    r: { 'local.test.ping': [{ tgt: ['a', 'b'] }, { tgt_type: 'list' }] },
  });
});

test('python truthiness and equality apply to and, or, not, if and ==', async () => {
  assert.equal(await render("{{ [] or 'empty' }} {{ {} and 'x' }} {% if not l %}none{% endif %} {{ data.get('u', '') or 'unknown user' }}", { l: [], data: {} }), 'empty {} none unknown user');
  assert.equal(await render("{{ [1, 2] == [1, 2] }} {{ {'a': 1} != {'a': 1} }} {{ '1' == 1 }} {{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }}"), 'True False False True False');
  assert.equal(await render("{{ [1] + [2] }} {{ '-' * 3 }} {{ 2 ** 3 }} {{ 7 // 2 }}"), '[1, 2] --- 8 3');
});

test('template inheritance, call blocks and includes inside loops work', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'render-extras-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'base.sls'), '{% block body %}base {{ x }}{% endblock %}|end');
  await writeFile(join(dir, 'item.sls'), '[{{ item }}]');
  const files = new SlsRenderer({ searchPaths: [dir] });
  assert.equal(await files.renderTemplate("{% extends 'base.sls' %}{% block body %}child {{ super() }}{% endblock %}", { x: 1 }), 'child base 1|end');
  assert.equal(await files.renderTemplate("{% for item in [1, 2] %}{% include 'item.sls' %}{% endfor %}", {}), '[1][2]');
  assert.equal(await files.renderTemplate('{% macro wrap() %}<{{ caller() }}>{% endmacro %}{% call wrap() %}in{% endcall %}', {}), '<in>');
});

test("salt's load and import tags parse yaml, json and text", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'render-import-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'defaults.yaml'), 'port: {{ 4000 + 506 }}\nenabled: yes\n');
  const files = new SlsRenderer({ searchPaths: [dir] });
  const text = "{% import_yaml 'defaults.yaml' as d %}{% load_json as j %}{\"k\": [1]}{% endload %}{% load_text as txt %}hi{% endload %}{{ d.port }} {{ d.enabled }} {{ j.k }} {{ txt }}";
  assert.equal(await files.renderTemplate(text, {}), '4506 True [1] hi');
});

test('an import with a syntax error is reported against the imported file', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'render-broken-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'broken.sls'), 'fine\n{% if %}\n');
  const files = new SlsRenderer({ searchPaths: [dir] });
  await assert.rejects(files.renderSls("a: 1\n{% import 'broken.sls' as b %}\n", {}, 'top.sls'), (error: unknown) => {
    assert.ok(error instanceof TemplateError);
    assert.equal(error.file, join(dir, 'broken.sls'));
    assert.equal(error.line, 2);
    return true;
  });
});

test('a rejected salt function surfaces as a template error on its line', async () => {
  const salt = { 'cmd.run': async () => Promise.reject(new Error('minion unreachable')) };
  await assert.rejects(render("a\nb: {{ salt['cmd.run']('x') }}", { salt }), (error: unknown) => {
    assert.ok(error instanceof TemplateError);
    assert.equal(error.code, 'ERR_TEMPLATE');
    assert.equal(error.line, 2);
    assert.match(error.reason, /minion unreachable/);
    return true;
  });
});

test('keyword arguments reach salt functions as one trailing object', async () => {
  const seen: unknown[][] = [];
  const salt = { 'pillar.get': (...args: unknown[]) => (seen.push(args), 'v') };
  assert.equal(await render("{{ salt['pillar.get']('k', default='d', pillarenv='base') }}", { salt }), 'v');
  assert.deepEqual(seen, [['k', { default: 'd', pillarenv: 'base' }]]);
});

test('javascript internals are out of reach of templates', async () => {
  await assert.rejects(render("{{ range.constructor('return process')() }}"), { code: 'ERR_TEMPLATE' });
  assert.equal(await render('[{{ d.constructor }}][{{ toString }}]', { d: {} }), '[][]');
});

test('strictUndefined raises where salt (allow_undefined: False) raises, and spares is defined and default', async () => {
  const strict = new SlsRenderer({ strictUndefined: true });
  await assert.rejects(strict.renderTemplate('a\n{{ missing }}', {}), (error: unknown) => error instanceof TemplateError && error.line === 2 && /'missing' is undefined/.test(error.reason));
  await assert.rejects(strict.renderTemplate('{% if data.nope %}x{% endif %}', { data: {} }), { code: 'ERR_TEMPLATE' });
  assert.equal(await strict.renderTemplate("{{ data.nope is defined }} {{ data.nope|default('d') }} {{ data.get('nope') }}", { data: {} }), 'False d None');
});

test('loop controls, with blocks, raise() and jinja loop scoping work as in salt', async () => {
  assert.equal(await render('{% for i in [1, 2, 3, 4] %}{% if i == 2 %}{% continue %}{% endif %}{% if i == 4 %}{% break %}{% endif %}{{ i }}{% endfor %}'), '13');
  assert.equal(await render("{% with a = 'w', b = 2 %}{{ a }}{{ b }}{% endwith %}[{{ a }}]"), 'w2[]');
  await assert.rejects(render("{{ raise('no id given') }}"), (error: unknown) => error instanceof TemplateError && /no id given/.test(error.message));
  // The classic Jinja surprise: a set inside a loop does not change the outer variable.
  assert.equal(await render('{% set found = false %}{% for i in [1, 2] %}{% set found = true %}{% endfor %}{{ found }}'), 'False');
});

test('errors after an import, in an include or in a macro name the right file and line', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'render-lines-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'mac.sls'), "{% macro bad() %}\n{{ data['nope']['x'] }}\n{% endmacro %}{% macro ok() %}ok{% endmacro %}");
  await writeFile(join(dir, 'inc.sls'), "fine\nfine\n{{ data['nope']['x'] }}\n");
  const files = new SlsRenderer({ searchPaths: [dir] });
  const where = async (text: string) => {
    const error = await files.renderTemplate(text, { data: {} }, 'top.sls').then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof TemplateError);
    return `${error.file.replace(dir, '<dir>')}:${error.line}`;
  };
  assert.equal(await where("{% import 'mac.sls' as m %}\n{{ m.ok() }}\n\n{{ data['nope']['x'] }}"), 'top.sls:4');
  assert.equal(await where("a\n{% include 'inc.sls' %}"), '<dir>/inc.sls:3');
  assert.equal(await where("{% import 'mac.sls' as m %}\n\n{{ m.bad() }}"), '<dir>/mac.sls:2');
  assert.equal(await where("a\n\n{% include 'missing.sls' %}"), 'top.sls:3');
});
