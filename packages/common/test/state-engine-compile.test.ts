import assert from 'node:assert/strict';
import { test } from 'node:test';
import yaml from 'js-yaml';
import { buildHighState, compileHighData } from '../src/state-engine/index.js';
import type { Chunk, HighData } from '../src/state-engine/index.js';

/** Builds (with auto-order) and compiles SLS files given as YAML text. */
async function compile(files: Record<string, string>, mods = Object.keys(files).slice(0, 1)) {
  const { high, errors } = await buildHighState(mods, 'base', async (sls) => (sls in files ? yaml.load(files[sls]!) : undefined));
  assert.deepEqual(errors, []);
  return compileHighData(high);
}

const ids = (chunks: Chunk[]) => chunks.map((c) => c.__id__);
const byId = (chunks: Chunk[], id: string) => chunks.find((c) => c.__id__ === id)!;

test('chunks carry state, fun, name, id, sls, env, order and every argument', async () => {
  const { chunks, errors } = await compile({ main: 'motd:\n  file.managed:\n    - name: /etc/motd\n    - mode: "0644"\n' });
  assert.deepEqual(errors, []);
  assert.deepEqual(chunks, [
    { state: 'file', fun: 'managed', name: '/etc/motd', __id__: 'motd', __sls__: 'main', __env__: 'base', order: 10000, mode: '0644' },
  ]);
});

test('with auto-order, states run in file order rather than alphabetically', async () => {
  const { chunks } = await compile({ main: 'zebra: test.nop\napple: test.nop\nmango: test.nop\n' });
  assert.deepEqual(ids(chunks), ['zebra', 'apple', 'mango']);
});

test('order first, last, negative and explicit numbers move states around the auto-ordered rest', async () => {
  const { chunks } = await compile({
    main: [
      'a: test.nop',
      'b:\n  test.nop:\n    - order: last',
      'c:\n  test.nop:\n    - order: first',
      'd:\n  test.nop:\n    - order: -1',
      'e:\n  test.nop:\n    - order: 1',
    ].join('\n'),
  });
  // Only `a` is auto-numbered (10000), so cap is 10100: `last` is cap+1000000, -1 is just before it.
  assert.deepEqual(ids(chunks), ['c', 'e', 'a', 'd', 'b']);
  assert.equal(byId(chunks, 'b').order, 10100 + 1000000);
  assert.equal(byId(chunks, 'd').order, 10100 + 1000000 - 1);
});

test('without auto-order, chunks sort by state, name and function', () => {
  const high: HighData = {
    zebra: { test: ['nop'], __sls__: 'm', __env__: 'base' },
    apple: { test: ['nop'], __sls__: 'm', __env__: 'base' },
    bee: { cmd: ['run'], __sls__: 'm', __env__: 'base' },
  };
  const { chunks } = compileHighData(high);
  assert.deepEqual(ids(chunks), ['bee', 'apple', 'zebra']);
  assert.ok(chunks.every((c) => c.order === 1));
  assert.deepEqual(ids(compileHighData(high, { autoOrder: true }).chunks), ['zebra', 'apple', 'bee']);
});

test('names expands one declaration into a chunk per name, in list order, with per-name arguments', async () => {
  const { chunks } = await compile({
    main: 'pkgs:\n  pkg.installed:\n    - names:\n      - vim\n      - curl:\n        - version: "8.0"\n      - git\n',
  });
  assert.deepEqual(chunks.map((c) => c.name), ['vim', 'curl', 'git']);
  assert.deepEqual(chunks.map((c) => c.order), [10000.0001, 10000.0002, 10000.0003]);
  assert.equal(byId(chunks, 'pkgs').__id__, 'pkgs');
  assert.equal(chunks[1]!.version, '8.0');
  assert.ok(chunks.every((c) => !('names' in c)));
});

test('extend appends to requisite lists and replaces other arguments', async () => {
  const { chunks, errors } = await compile({
    main: [
      'include: [base]',
      'extend:',
      '  svc:',
      '    service:',
      '      - require:',
      '        - pkg: extra',
      '      - enable: false',
      'extra: pkg.installed',
    ].join('\n'),
    base: 'svc:\n  service.running:\n    - enable: true\n    - require:\n      - pkg: nginx\nnginx: pkg.installed\n',
  });
  assert.deepEqual(errors, []);
  const svc = byId(chunks, 'svc');
  assert.deepEqual(svc.require, [{ pkg: 'nginx' }, { pkg: 'extra' }]);
  assert.equal(svc.enable, false);
  assert.equal(svc.fun, 'running');
});

test('extending an ID that does not exist is an error and nothing compiles', async () => {
  const { chunks, errors } = await compile({ main: 'extend:\n  ghost:\n    file:\n      - mode: "0600"\nreal: test.nop\n' });
  assert.deepEqual(chunks, []);
  assert.deepEqual(errors, [
    "Cannot extend ID 'ghost' in 'base:main'. It is not part of the high state.\n" +
      'This is likely due to a missing include statement or an incorrectly typed ID.\n' +
      "Ensure that a state with an ID of 'ghost' is available\nin environment 'base' and to SLS 'main'",
  ]);
});

test('exclude removes single IDs and whole SLS files by glob', async () => {
  const { chunks } = await compile({
    main: 'include: [lib.a, lib.b, other]\nexclude:\n  - sls: lib.*\n  - id: o2\nkeep: test.nop\n',
    'lib.a': 'a1: test.nop\n',
    'lib.b': 'b1: test.nop\n',
    other: 'o1: test.nop\no2: test.nop\n',
  });
  assert.deepEqual(ids(chunks), ['o1', 'keep']);
});

test('the _in forms become requisites on the states they name', async () => {
  const { chunks, errors } = await compile({
    main: [
      'conf:',
      '  file.managed:',
      '    - name: /etc/app.conf',
      '    - watch_in:',
      '      - service: app',
      '    - require_in:',
      '      - app',
      '    - onchanges_in:',
      '      - test: notify',
      '    - onfail_in:',
      '      - test: alarm',
      '    - prereq_in:',
      '      - test: drain',
      'app: service.running',
      'notify: test.nop',
      'alarm: test.nop',
      'drain: test.nop',
    ].join('\n'),
  });
  assert.deepEqual(errors, []);
  assert.deepEqual(byId(chunks, 'app').watch, [{ file: 'conf' }]);
  assert.deepEqual(byId(chunks, 'app').require, [{ file: 'conf' }]);
  assert.deepEqual(byId(chunks, 'notify').onchanges, [{ file: 'conf' }]);
  assert.deepEqual(byId(chunks, 'alarm').onfail, [{ file: 'conf' }]);
  assert.deepEqual(byId(chunks, 'drain').prereq, [{ file: 'conf' }]);
  assert.deepEqual(byId(chunks, 'conf').prerequired, [{ test: 'drain' }]);
});

test('an _in that names a state by its name argument finds it, a missing one is an error', async () => {
  const found = await compile({ main: 'a:\n  test.nop:\n    - require_in:\n      - test: /x\nb:\n  test.nop:\n    - name: /x\n' });
  assert.deepEqual(byId(found.chunks, 'b').require, [{ test: 'a' }]);
  const missing = await compile({ main: 'a:\n  test.nop:\n    - require_in:\n      - test: nowhere\n' });
  assert.match(missing.errors[0] ?? '', /^Cannot extend ID 'nowhere' in 'base:main'/);
});

test('use copies the arguments the using state does not set itself', async () => {
  const { chunks } = await compile({
    main: 'tmpl:\n  file.managed:\n    - name: /a\n    - user: root\n    - mode: "0600"\nother:\n  file.managed:\n    - name: /b\n    - mode: "0644"\n    - use:\n      - file: tmpl\n',
  });
  const other = byId(chunks, 'other');
  assert.equal(other.user, 'root');
  assert.equal(other.mode, '0644');
  assert.equal(other.name, '/b');
});

test('structural errors are reported with Salt wording', () => {
  const high: HighData = {
    nofun: { test: [{ name: 'x' }], __sls__: 'm', __env__: 'base' },
    colon: { 'test.nop': null, __sls__: 'm', __env__: 'base' },
    a: { test: ['nop', { require: [{ test: 'b' }] }], __sls__: 'm', __env__: 'base' },
    b: { test: ['nop', { require: [{ test: 'a' }] }], __sls__: 'm', __env__: 'base' },
    scalar: 'oops',
  };
  assert.deepEqual(compileHighData(high).errors, [
    "No function declared in state 'test' in SLS 'm'",
    "ID 'colon' in SLS 'm' contains a short declaration (test.nop) with a trailing colon. When not passing any arguments to a state, the colon must be omitted.",
    'A recursive requisite was found, SLS "m" ID "b" ID "a"',
    'The type scalar in oops is not formatted as a dictionary',
  ]);
});

test('compiling leaves the caller high data untouched', async () => {
  const high: HighData = {
    __extend__: [{ x: { test: [{ comment: 'hi' }], __sls__: 'm', __env__: 'base' } }],
    x: { test: ['nop', { require_in: ['y'] }], __sls__: 'm', __env__: 'base' },
    y: { test: ['nop'], __sls__: 'm', __env__: 'base' },
  };
  const before = structuredClone(high);
  const { chunks, errors } = compileHighData(high);
  assert.deepEqual(errors, []);
  assert.deepEqual(byId(chunks, 'y').require, [{ test: 'x' }]);
  assert.deepEqual(high, before);
});
