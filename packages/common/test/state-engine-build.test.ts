import assert from 'node:assert/strict';
import { test } from 'node:test';
import yaml from 'js-yaml';
import { SlsFile, buildHighState } from '../src/state-engine/index.js';
import type { SlsLoader } from '../src/state-engine/index.js';

/** A file server of YAML strings: `sls` → text, or `[text, source]` to say which file it was. */
function loader(files: Record<string, string | [string, string]>, saltenv = 'base'): SlsLoader {
  return async (sls, env) => {
    const file = env === saltenv ? files[sls] : files[`${env}:${sls}`];
    if (file === undefined) return undefined;
    return Array.isArray(file) ? new SlsFile(yaml.load(file[0]), file[1]) : yaml.load(file);
  };
}

test('includes pull in other SLS files and every ID carries its own __sls__ and __env__', async () => {
  const load = loader({
    web: 'include:\n  - users\nnginx:\n  pkg.installed: []\n',
    users: 'alice:\n  user.present: []\n',
  });
  const { high, errors } = await buildHighState(['web'], 'base', load, { autoOrder: false });
  assert.deepEqual(errors, []);
  assert.deepEqual(high, {
    nginx: { pkg: ['installed'], __sls__: 'web', __env__: 'base' },
    alice: { user: ['present'], __sls__: 'users', __env__: 'base' },
  });
});

test('a relative include resolves against the including SLS, or against the package for init.sls', async () => {
  const load = loader({
    'app.web': 'include:\n  - .db\n  - ..common\nweb: test.nop\n',
    'app.db': 'db: test.nop\n',
    common: 'common: test.nop\n',
    app: ['include:\n  - .web\napp: test.nop\n', 'app/init.sls'],
  });
  const { high, errors } = await buildHighState(['app'], 'base', load, { autoOrder: false });
  assert.deepEqual(errors, []);
  assert.deepEqual(Object.keys(high).sort(), ['app', 'common', 'db', 'web']);
  assert.equal((high.db as { __sls__: string }).__sls__, 'app.db');
});

test('a relative include that climbs above the top package is an error', async () => {
  const load = loader({ top: 'include:\n  - ..nothing\nx: test.nop\n' });
  const { errors } = await buildHighState(['top'], 'base', load);
  assert.deepEqual(errors, ["Attempted relative include of '..nothing' within SLS 'base:top' goes beyond top level package "]);
});

test('the dict form of include loads the SLS from the saltenv it names', async () => {
  const load = loader({ main: 'include:\n  - dev: tools\nmain: test.nop\n', 'dev:tools': 'tools: test.nop\n' });
  const { high, errors } = await buildHighState(['main'], 'base', load);
  assert.deepEqual(errors, []);
  assert.equal((high.tools as { __env__: string }).__env__, 'dev');
});

test('a missing include names the SLS and saltenv, a missing requested SLS says no matching sls was found', async () => {
  const load = loader({ main: 'include:\n  - gone\nmain: test.nop\n' });
  const { errors } = await buildHighState(['main', 'absent'], 'base', load);
  assert.deepEqual(errors, [
    'Specified SLS gone in saltenv base is not available on the salt master or through a configured fileserver',
    "No matching sls found for 'absent' in env 'base'",
  ]);
});

test('short declarations are padded into state: [function, args...]', async () => {
  const load = loader({
    main: [
      'short: file.managed',
      'dotted:\n  file.managed:\n    - name: /tmp/a',
      'long:\n  file:\n    - managed\n    - name: /tmp/b',
    ].join('\n'),
  });
  const { high, errors } = await buildHighState(['main'], 'base', load, { autoOrder: false });
  assert.deepEqual(errors, []);
  assert.deepEqual(high.short, { __sls__: 'main', __env__: 'base', file: ['managed'] });
  assert.deepEqual((high.dotted as Record<string, unknown>).file, [{ name: '/tmp/a' }, 'managed']);
  assert.deepEqual((high.long as Record<string, unknown>).file, ['managed', { name: '/tmp/b' }]);
});

test('the same ID in two SLS files is Salt conflict error', async () => {
  const load = loader({ a: 'dup: test.nop\n', b: 'dup: test.succeed_without_changes\n' });
  const { errors } = await buildHighState(['a', 'b'], 'base', load);
  assert.deepEqual(errors, [
    "Detected conflicting IDs, SLS IDs need to be globally unique.\n    The conflicting ID is 'dup' and is found in SLS 'base:a' and SLS 'base:b'",
  ]);
});

test('an SLS that does not render to a mapping is an error naming it, an empty one is not', async () => {
  const load = loader({ list: '- a\n- b\n', empty: '# nothing here\n', bad: 'x: 3\n' });
  const { high, errors } = await buildHighState(['list', 'empty', 'bad'], 'base', load);
  assert.deepEqual(errors, ['SLS list does not render to a dictionary', 'ID x in SLS bad is not a dictionary']);
  assert.deepEqual(Object.keys(high), ['x']);
});

test('extend and exclude wait in __extend__ and __exclude__ for the compiler, as show_highstate shows them', async () => {
  const load = loader({
    main: 'include:\n  - base\nexclude:\n  - id: old\nextend:\n  svc:\n    service:\n      - watch:\n        - file: conf\n',
    base: 'svc:\n  service.running: []\nold: test.nop\n',
  });
  const { high, errors } = await buildHighState(['main'], 'base', load, { autoOrder: false });
  assert.deepEqual(errors, []);
  assert.deepEqual(high.__exclude__, [{ id: 'old' }]);
  assert.deepEqual(high.__extend__, [{ svc: { service: [{ watch: [{ file: 'conf' }] }], __sls__: 'main', __env__: 'base' } }]);
});

test('auto-order numbers states from 10000 in render order, included files first', async () => {
  const load = loader({ main: 'include:\n  - dep\nfirst: test.nop\nsecond:\n  test.nop:\n    - order: 5\n', dep: 'dep: test.nop\n' });
  const { high } = await buildHighState(['main'], 'base', load);
  const order = (id: string) => ((high[id] as { test: unknown[] }).test.find((a) => typeof a === 'object') as { order: number }).order;
  assert.deepEqual([order('dep'), order('first'), order('second')], [10000, 10001, 5]);
});

test('an include cycle renders each SLS once', async () => {
  const load = loader({ a: 'include: [b]\na: test.nop\n', b: 'include: [a]\nb: test.nop\n' });
  const { high, errors } = await buildHighState(['a'], 'base', load);
  assert.deepEqual(errors, []);
  assert.deepEqual(Object.keys(high).sort(), ['a', 'b']);
});

test('a loader that throws is reported as a render failure of that SLS', async () => {
  const load: SlsLoader = async () => {
    throw new Error('unexpected end of template');
  };
  const { errors } = await buildHighState(['broken'], 'base', load);
  assert.deepEqual(errors, ["Rendering SLS 'base:broken' failed: unexpected end of template"]);
});

test('building leaves the loader data untouched', async () => {
  const data = { x: { 'file.managed': [{ name: '/a' }] }, include: [] };
  const before = structuredClone(data);
  await buildHighState(['m'], 'base', async () => data);
  assert.deepEqual(data, before);
});
