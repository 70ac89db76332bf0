import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { RuleMatcher } from '../src/reactor/match.js';
import { loadRules, normalizeRules } from '../src/reactor/rules.js';

test('the reactor map may be a list in the config or the path of a YAML file holding it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'reactor-map-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'reactor.yaml');
  await writeFile(file, "- 'salt/auth':\n  - /srv/reactor/a.sls\n- 'salt/minion/*/start': /srv/reactor/b.sls\n");
  const fromFile = await loadRules(file);
  assert.deepEqual(fromFile.rules, [
    { pattern: 'salt/auth', sls: ['/srv/reactor/a.sls'] },
    { pattern: 'salt/minion/*/start', sls: ['/srv/reactor/b.sls'] },
  ]);
  const fromList = await loadRules([{ 'salt/auth': '/srv/reactor/a.sls' }]);
  assert.deepEqual(fromList.rules, [{ pattern: 'salt/auth', sls: ['/srv/reactor/a.sls'] }]);
  await assert.rejects(loadRules(join(dir, 'missing.yaml')), { code: 'ERR_CONFIG_INVALID' });
});

test('malformed reactor entries are named and skipped, not silently dropped', () => {
  const { rules, problems } = normalizeRules([{ a: 'x.sls', b: 'y.sls' }, 'salt/auth', { 'ok/*': ['z.sls'] }, { empty: [] }]);
  assert.deepEqual(rules, [{ pattern: 'ok/*', sls: ['z.sls'] }]);
  assert.equal(problems.length, 3);
});

test('every matching rule counts, in config order: globs cross slashes, else an anchored regex', () => {
  const matcher = new RuleMatcher([
    { pattern: 'salt/minion/*/start', sls: ['a'] },
    { pattern: 'salt/minion/Min*/start', sls: ['b'] },
    { pattern: 'salt/minion/\\w+/start', sls: ['c'] },
    { pattern: 'salt/auth', sls: ['d'] },
  ]);
  assert.deepEqual(matcher.match('salt/minion/Minion1/start').map((r) => r.sls[0]), ['a', 'b', 'c']);
  assert.deepEqual(matcher.match('salt/minion/web-1/start').map((r) => r.sls[0]), ['a']);
  assert.deepEqual(matcher.match('salt/minion/a/b/start').map((r) => r.sls[0]), ['a']);
  assert.deepEqual(matcher.match('salt/auth').map((r) => r.sls[0]), ['d']);
  assert.deepEqual(matcher.match('xsalt/auth'), []);
});

test('the literal prefix a rule needs holds under both the glob and the regex reading', async () => {
  const { requiredPrefix } = await import('../src/reactor/match.js');
  assert.equal(requiredPrefix('salt/minion/Min*/start'), 'salt/minion/Mi');
  assert.equal(requiredPrefix('salt/auth'), 'salt/auth');
  assert.equal(requiredPrefix('app/go/\\d+'), 'app/go/');
  assert.equal(requiredPrefix('a.b/*'), 'a');
  assert.equal(requiredPrefix('foo|bar'), '');
  assert.equal(requiredPrefix('(?i)salt'), '');
});
