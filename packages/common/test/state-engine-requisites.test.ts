import assert from 'node:assert/strict';
import { test } from 'node:test';
import yaml from 'js-yaml';
import { buildHighState, compileHighData, runChunks, testStates } from '../src/state-engine/index.js';
import type { ChunkReturn, RunOptions, StateFunction } from '../src/state-engine/index.js';

const lookupTest = (state: string, fun: string): StateFunction | undefined => (state === 'test' ? testStates[fun] : undefined);

/** Builds, compiles and runs YAML SLS files (`main` is applied); returns results by ID. */
async function apply(files: string | Record<string, string>, options: Partial<RunOptions> = {}) {
  const sources = typeof files === 'string' ? { main: files } : files;
  const load = async (sls: string) => (sls in sources ? yaml.load(sources[sls]!) : undefined);
  const { high, errors } = await buildHighState(['main'], 'base', load);
  assert.deepEqual(errors, []);
  const compiled = compileHighData(high);
  assert.deepEqual(compiled.errors, []);
  const ret = await runChunks(compiled.chunks, { lookup: lookupTest, test: false, ...options });
  const byId: Record<string, ChunkReturn> = {};
  for (const r of Object.values(ret)) byId[r.__id__] = r;
  return { ret, byId };
}

/** Run order of IDs, by __run_num__. */
const runOrder = (byId: Record<string, ChunkReturn>) =>
  Object.values(byId)
    .sort((a, b) => a.__run_num__ - b.__run_num__)
    .map((r) => r.__id__);

test('a required state runs first even when it comes later in the file', async () => {
  const { byId } = await apply('b:\n  test.succeed_without_changes:\n    - require:\n      - test: a\na: test.succeed_without_changes\n');
  assert.deepEqual(runOrder(byId), ['a', 'b']);
  assert.equal(byId.b!.result, true);
});

test('a failure travels down a require chain and each state names the requisite that failed', async () => {
  const { byId } = await apply(
    [
      'A: test.fail_without_changes',
      'B:\n  test.succeed_without_changes:\n    - require:\n      - test: A',
      'C:\n  test.succeed_without_changes:\n    - require:\n      - test: B',
    ].join('\n'),
  );
  assert.equal(byId.A!.comment, 'Failure!');
  assert.deepEqual(
    [byId.B, byId.C].map((r) => [r!.result, r!.comment, r!.changes]),
    [
      [false, 'One or more requisite failed: main.A', {}],
      [false, 'One or more requisite failed: main.B', {}],
    ],
  );
});

test('onchanges runs a state only when a named state changed something', async () => {
  const { byId } = await apply(
    [
      'changed: test.succeed_with_changes',
      'quiet: test.succeed_without_changes',
      'on_changed:\n  test.succeed_without_changes:\n    - onchanges:\n      - test: changed',
      'on_quiet:\n  test.succeed_without_changes:\n    - onchanges:\n      - test: quiet',
    ].join('\n'),
  );
  assert.equal(byId.on_changed!.comment, 'Success!');
  assert.equal(byId.on_changed!.__state_ran__, undefined);
  assert.equal(byId.on_quiet!.result, true);
  assert.equal(byId.on_quiet!.comment, 'State was not run because none of the onchanges reqs changed');
  assert.equal(byId.on_quiet!.__state_ran__, false);
});

test('onfail runs a state only when a named state failed', async () => {
  const { byId } = await apply(
    [
      'broken: test.fail_without_changes',
      'fine: test.succeed_without_changes',
      'rescue:\n  test.succeed_with_changes:\n    - onfail:\n      - test: broken',
      'idle:\n  test.succeed_with_changes:\n    - onfail:\n      - test: fine',
    ].join('\n'),
  );
  assert.equal(byId.rescue!.comment, 'Success!');
  assert.equal(byId.idle!.result, true);
  assert.equal(byId.idle!.comment, 'State was not run because onfail req did not change');
  assert.equal(byId.idle!.__state_ran__, false);
});

test('watch calls mod_watch when a watched state changed, and only then', async () => {
  const { byId, ret } = await apply(
    [
      'changed: test.succeed_with_changes',
      'quiet: test.succeed_without_changes',
      'watcher:\n  test.succeed_without_changes:\n    - watch:\n      - test: changed\n      - test: quiet',
      'idle:\n  test.succeed_without_changes:\n    - watch:\n      - test: quiet',
    ].join('\n'),
  );
  assert.equal(byId.watcher!.comment, 'Watch statement fired.');
  assert.deepEqual(byId.watcher!.changes, { 'Requisites with changes': ['test: changed'] });
  // The result keeps the watching state's tag, not mod_watch's.
  assert.ok('test_|-watcher_|-watcher_|-succeed_without_changes' in ret);
  assert.equal(byId.idle!.comment, 'Success!');
});

test('a watch on a state module without mod_watch acts as a plain require', async () => {
  const calls: string[] = [];
  const svc: StateFunction = async (name) => {
    calls.push(name);
    return { name, result: true, changes: {}, comment: 'started' };
  };
  const lookup = (state: string, fun: string) => (state === 'svc' && fun === 'running' ? svc : lookupTest(state, fun));
  const { byId } = await apply(
    'conf: test.succeed_with_changes\nbad: test.fail_without_changes\nweb:\n  svc.running:\n    - watch:\n      - test: conf\napi:\n  svc.running:\n    - watch:\n      - test: bad\n',
    { lookup },
  );
  assert.equal(byId.web!.comment, 'started');
  assert.equal(byId.api!.comment, 'One or more requisite failed: main.bad');
  assert.deepEqual(calls, ['web']);
});

/** A lookup that records every test-state call with its test flag. */
function recording() {
  const calls: Array<[string, boolean]> = [];
  const lookup = (state: string, fun: string): StateFunction | undefined => {
    const fn = lookupTest(state, fun);
    return fn && (async (name, args, ctx) => (calls.push([name, ctx.test]), fn(name, args, ctx)));
  };
  return { calls, lookup };
}

test('prereq runs a state before the one it names, and only if that one predicts changes', async () => {
  const { calls, lookup } = recording();
  const { byId } = await apply('drain:\n  test.succeed_without_changes:\n    - prereq:\n      - test: deploy\ndeploy: test.succeed_with_changes\n', {
    lookup,
  });
  // deploy is test-run first, drain runs because changes are predicted, then deploy runs for real.
  assert.deepEqual(calls, [
    ['deploy', true],
    ['drain', false],
    ['deploy', false],
  ]);
  assert.deepEqual(runOrder(byId), ['drain', 'deploy']);
  assert.equal(byId.deploy!.result, true);
});

test('prereq skips the state with No changes detected when nothing would change', async () => {
  const { calls, lookup } = recording();
  // `deploy: prereq_in: drain` is the same as `drain: prereq: deploy`.
  const { byId } = await apply('deploy:\n  test.succeed_without_changes:\n    - prereq_in:\n      - test: drain\ndrain: test.succeed_without_changes\n', {
    lookup,
  });
  assert.deepEqual(calls, [
    ['deploy', true],
    ['deploy', false],
  ]);
  assert.equal(byId.drain!.result, true);
  assert.equal(byId.drain!.comment, 'No changes detected');
  assert.equal(byId.deploy!.comment, 'Success!');
});

test('requisites that match nothing fail the state with the list of what was not found', async () => {
  const { byId } = await apply('a:\n  test.nop:\n    - require:\n      - test: ghost\n      - nothere\n    - watch:\n      - sls: nosuch\n');
  assert.equal(byId.a!.result, false);
  assert.equal(
    byId.a!.comment,
    'The following requisites were not found:\n' +
      '                   require:\n' +
      '                       test: ghost\n' +
      '                       id: nothere\n' +
      '                   watch:\n' +
      '                       sls: nosuch\n',
  );
});

test('a requisite cycle is reported as Recursive requisite found where it closes', async () => {
  const { byId } = await apply('a:\n  test.nop:\n    - require: [b]\nb:\n  test.nop:\n    - require: [c]\nc:\n  test.nop:\n    - require: [a]\n');
  assert.equal(byId.c!.comment, 'Recursive requisite found');
  assert.equal(byId.b!.comment, 'One or more requisite failed: main.c');
  assert.equal(byId.a!.comment, 'One or more requisite failed: main.b');
  assert.ok(Object.values(byId).every((r) => r.result === false));
});

test('requisites can name an SLS, an ID, a bare ID, or a glob over names', async () => {
  const { byId } = await apply({
    main: [
      'include: [lib]',
      'by_sls:\n  test.nop:\n    - require:\n      - sls: lib',
      'by_glob:\n  test.nop:\n    - onchanges:\n      - test: /srv/web*',
      'by_id:\n  test.nop:\n    - require:\n      - id: web1',
      'by_bare:\n  test.nop:\n    - require:\n      - web2',
      'web1:\n  test.succeed_with_changes:\n    - name: /srv/web1',
      'web2:\n  test.succeed_with_changes:\n    - name: /srv/web2',
    ].join('\n'),
    lib: 'lib1: test.nop\nlib2: test.nop\n',
  });
  const order = runOrder(byId);
  assert.ok(order.indexOf('lib2') < order.indexOf('by_sls'));
  assert.ok(order.indexOf('web1') < order.indexOf('by_glob') && order.indexOf('web2') < order.indexOf('by_glob'));
  assert.ok(Object.values(byId).every((r) => r.result === true && r.comment !== 'State was not run because none of the onchanges reqs changed'));
});

test('require_any needs one requisite to succeed, require needs all', async () => {
  const { byId } = await apply(
    [
      'bad: test.fail_without_changes',
      'good: test.succeed_without_changes',
      'any:\n  test.nop:\n    - require_any:\n      - test: bad\n      - test: good',
      'all:\n  test.nop:\n    - require:\n      - test: bad\n      - test: good',
    ].join('\n'),
  );
  assert.equal(byId.any!.result, true);
  assert.equal(byId.all!.comment, 'One or more requisite failed: main.bad');
});

test('in test mode a None result satisfies a require and a False one still fails it', async () => {
  const { byId } = await apply(
    [
      'would_change: test.succeed_with_changes',
      'after:\n  test.succeed_without_changes:\n    - require:\n      - test: would_change',
      'broken: test.fail_without_changes',
      'blocked:\n  test.nop:\n    - require:\n      - test: broken',
    ].join('\n'),
    { test: true },
  );
  assert.equal(byId.would_change!.result, null);
  assert.equal(byId.after!.result, true);
  assert.equal(byId.blocked!.comment, 'One or more requisite failed: main.broken');
});

test('listen calls mod_watch once at the end of the run when the listened state changed', async () => {
  const { ret, byId } = await apply(
    [
      'conf: test.succeed_with_changes',
      'svc:\n  test.succeed_without_changes:\n    - listen:\n      - test: conf',
      // listen_in: conf listens to `other`, which changes.
      'other:\n  test.succeed_with_changes:\n    - listen_in:\n      - test: conf',
      'after: test.nop',
    ].join('\n'),
  );
  assert.equal(byId.svc!.comment, 'Success!');
  const listener = ret['test_|-listener_svc_|-svc_|-mod_watch'];
  assert.equal(listener?.comment, 'Watch statement fired.');
  assert.ok(listener.__run_num__ > byId.after!.__run_num__);
  assert.equal(ret['test_|-listener_conf_|-conf_|-mod_watch']?.comment, 'Watch statement fired.');
  assert.equal(Object.keys(ret).filter((tag) => tag.includes('listener_')).length, 2);
});

test('onfail fires when any named state failed, onfail_all only when all of them did', async () => {
  const { byId } = await apply(
    [
      'bad: test.fail_without_changes',
      'good: test.succeed_without_changes',
      'plain:\n  test.nop:\n    - onfail:\n      - test: bad\n      - test: good',
      'any:\n  test.nop:\n    - onfail_any:\n      - test: bad\n      - test: good',
      'all:\n  test.nop:\n    - onfail_all:\n      - test: bad\n      - test: good',
    ].join('\n'),
  );
  assert.equal(byId.plain!.comment, 'Success!');
  assert.equal(byId.any!.comment, 'Success!');
  assert.equal(byId.all!.comment, 'State was not run because onfail req did not change');
});

test('when the state that prereqs another fails, the other shows its test run without the predicted changes', async () => {
  const { byId } = await apply('drain:\n  test.fail_without_changes:\n    - prereq:\n      - test: deploy\ndeploy: test.succeed_with_changes\n');
  assert.equal(byId.drain!.result, false);
  assert.deepEqual([byId.deploy!.result, byId.deploy!.changes], [null, {}]);
  assert.equal(byId.deploy!.comment, "If we weren't testing, this would be successful with changes");
});

test('a require on an ID expanded by names waits for every name', async () => {
  const { ret } = await apply('last:\n  test.nop:\n    - require:\n      - test: pkgs\npkgs:\n  test.nop:\n    - names: [a, b, c]\n');
  const order = Object.entries(ret)
    .sort(([, x], [, y]) => x.__run_num__ - y.__run_num__)
    .map(([tag]) => tag.split('_|-')[2]);
  assert.deepEqual(order, ['a', 'b', 'c', 'last']);
});
