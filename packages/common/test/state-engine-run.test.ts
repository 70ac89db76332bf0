import assert from 'node:assert/strict';
import { test } from 'node:test';
import yaml from 'js-yaml';
import { buildHighState, compileHighData, runChunks, stateRetcode, testStates } from '../src/state-engine/index.js';
import type { Chunk, ChunkReturn, RunOptions, StateFunction } from '../src/state-engine/index.js';

const lookupTest = (state: string, fun: string): StateFunction | undefined => (state === 'test' ? testStates[fun] : undefined);

async function chunksOf(text: string): Promise<Chunk[]> {
  const { high, errors } = await buildHighState(['main'], 'base', async () => yaml.load(text));
  assert.deepEqual(errors, []);
  const compiled = compileHighData(high);
  assert.deepEqual(compiled.errors, []);
  return compiled.chunks;
}

async function apply(text: string, options: Partial<RunOptions> = {}) {
  const ret = await runChunks(await chunksOf(text), { lookup: lookupTest, test: false, ...options });
  const byId: Record<string, ChunkReturn> = {};
  for (const r of Object.values(ret)) byId[r.__id__] = r;
  return { ret, byId };
}

test('results are keyed by Salt tag and carry run number, sls, id, local start time and duration', async () => {
  let ms = new Date(2024, 0, 2, 3, 4, 5, 678).getTime();
  const now = () => new Date((ms += 2));
  const { ret } = await apply('motd:\n  test.succeed_with_changes:\n    - name: /etc/motd\n', { now });
  assert.deepEqual(ret, {
    'test_|-motd_|-/etc/motd_|-succeed_with_changes': {
      name: '/etc/motd',
      changes: { testing: { old: 'Unchanged', new: 'Something pretended to change' } },
      result: true,
      comment: 'Success!',
      __sls__: 'main',
      __run_num__: 0,
      start_time: '03:04:05.680000',
      duration: 2,
      __id__: 'motd',
    },
  });
});

test('a start time with no fraction drops it, as Python isoformat does', async () => {
  const { byId } = await apply('a: test.nop\n', { now: () => new Date(2024, 0, 2, 3, 4, 5, 0) });
  assert.equal(byId.a!.start_time, '03:04:05');
});

test('failhard stops at the first failure and leaves the later states out', async () => {
  const text = 'a: test.succeed_without_changes\nb: test.fail_without_changes\nc: test.succeed_without_changes\n';
  assert.deepEqual(Object.keys((await apply(text, { failhard: true })).byId), ['a', 'b']);
  const own = await apply('a: test.nop\nb:\n  test.fail_without_changes:\n    - failhard: True\nc: test.nop\n');
  assert.deepEqual(Object.keys(own.byId), ['a', 'b']);
  // In test mode failhard never stops the run.
  assert.deepEqual(Object.keys((await apply(text, { failhard: true, test: true })).byId), ['a', 'b', 'c']);
});

test('failhard on a requisite stops before the state that required it', async () => {
  const { byId } = await apply('a:\n  test.nop:\n    - require:\n      - test: b\nb: test.fail_without_changes\nc: test.nop\n', { failhard: true });
  assert.deepEqual(Object.keys(byId), ['b']);
});

test('test mode reaches the state functions, which report what would change', async () => {
  const { byId } = await apply('a: test.succeed_with_changes\nb: test.fail_without_changes\nc: test.nop\n', { test: true });
  assert.deepEqual(
    ['a', 'b', 'c'].map((id) => [byId[id]!.result, byId[id]!.comment]),
    [
      [null, "If we weren't testing, this would be successful with changes"],
      [false, "If we weren't testing, this would be a failure!"],
      [true, 'Success!'],
    ],
  );
});

const conditions: Partial<RunOptions> = {
  runCondition: async (command) => (command === 'true' ? 0 : command === 'false' ? 1 : Promise.reject(new Error('no shell'))),
  pathExists: async (path) => path === '/a' || path === '/b',
};

test('onlyif, unless and creates skip a state with Salt comments', async () => {
  const { byId } = await apply(
    [
      "skip_onlyif:\n  test.succeed_with_changes:\n    - onlyif: 'false'",
      "run_onlyif:\n  test.succeed_with_changes:\n    - onlyif: ['true', 'true']",
      "skip_unless:\n  test.succeed_with_changes:\n    - unless: 'true'",
      "run_unless:\n  test.succeed_with_changes:\n    - unless: ['true', 'false']",
      'skip_creates:\n  test.succeed_with_changes:\n    - creates: [/a, /b]',
      'skip_creates_one:\n  test.succeed_with_changes:\n    - creates: /a',
      'run_creates:\n  test.succeed_with_changes:\n    - creates: [/a, /missing]',
      "both:\n  test.succeed_with_changes:\n    - onlyif: 'false'\n    - unless: 'true'",
      "broken_onlyif:\n  test.succeed_with_changes:\n    - onlyif: 'no-such-command'",
    ].join('\n'),
    conditions,
  );
  const seen = (id: string) => [byId[id]!.result, byId[id]!.comment, byId[id]!.skip_watch ?? false];
  assert.deepEqual(seen('skip_onlyif'), [true, 'onlyif condition is false', true]);
  assert.deepEqual(seen('skip_unless'), [true, 'unless condition is true', true]);
  assert.deepEqual(seen('skip_creates'), [true, 'All files in creates exist', true]);
  assert.deepEqual(seen('skip_creates_one'), [true, '/a exists', true]);
  assert.deepEqual(seen('both'), [true, 'onlyif condition is false\nunless condition is true', true]);
  assert.deepEqual(seen('broken_onlyif'), [true, 'onlyif condition is false', true]);
  for (const id of ['run_onlyif', 'run_unless', 'run_creates']) assert.deepEqual(seen(id), [true, 'Success!', false]);
  assert.deepEqual(byId.skip_onlyif!.changes, {});
});

test('a watching state skipped by onlyif does not fire mod_watch', async () => {
  const { byId } = await apply("changed: test.succeed_with_changes\nguarded:\n  test.succeed_without_changes:\n    - watch:\n      - test: changed\n    - onlyif: 'false'\n", conditions);
  assert.equal(byId.guarded!.comment, 'onlyif condition is false');
});

test('onlyif without a runCondition callback fails the state and says why', async () => {
  const { byId } = await apply("a:\n  test.nop:\n    - onlyif: 'true'\n");
  assert.equal(byId.a!.result, false);
  assert.match(byId.a!.comment, /^An exception occurred in this state: .*runCondition/);
});

test('a state function that does not exist fails with Salt not-found comment', async () => {
  const lookup = (state: string, fun: string) => {
    if (state === 'pkg') throw new Error("'pkg' __virtual__ returned False");
    return lookupTest(state, fun);
  };
  const { byId } = await apply('a: test.nosuch\nb: pkg.installed\n', { lookup });
  assert.deepEqual([byId.a!.result, byId.a!.comment], [false, "State 'test.nosuch' was not found in SLS 'main'\n"]);
  assert.equal(byId.b!.comment, "State 'pkg.installed' was not found in SLS 'main'\nReason: 'pkg' __virtual__ returned False\n");
});

test('a state function that throws is reported as an exception in this state', async () => {
  const boom: StateFunction = async () => {
    throw new Error('boom');
  };
  const { byId } = await apply('a: bad.run\n', { lookup: () => boom });
  assert.equal(byId.a!.result, false);
  assert.match(byId.a!.comment, /^An exception occurred in this state: Error: boom/);
});

test('a malformed return from a state function is turned into a failure', async () => {
  const sloppy = (async (name: string) => ({ name, result: true })) as unknown as StateFunction;
  const { byId } = await apply('a: sloppy.run\n', { lookup: () => sloppy });
  assert.equal(byId.a!.comment, "An exception occurred in this state: 'Changes' should be a dictionary.");
});

test('retry runs the state again until its result matches, noting each attempt', async () => {
  let attempt = 0;
  const flaky: StateFunction = async (name) => {
    attempt += 1;
    return { name, result: attempt >= 3, changes: {}, comment: attempt >= 3 ? `ok ${attempt}` : `fail ${attempt}` };
  };
  const slept: number[] = [];
  const { byId } = await apply('a:\n  flaky.run:\n    - retry:\n        attempts: 5\n        interval: 2\n', {
    lookup: () => flaky,
    sleep: async (s) => void slept.push(s),
  });
  assert.deepEqual(slept, [2, 2]);
  assert.equal(byId.a!.result, true);
  assert.equal(
    byId.a!.comment,
    'Attempt 1: Returned a result of "False", with the following comment: "fail 1"\n' +
      'Attempt 2: Returned a result of "False", with the following comment: "fail 2"\nok 3',
  );
});

test('in test mode retry only says what it would do', async () => {
  const { byId } = await apply('a:\n  test.succeed_with_changes:\n    - retry: True\n', { test: true });
  assert.equal(
    byId.a!.comment,
    "If we weren't testing, this would be successful with changes  The state would be retried every 30 seconds " +
      '(with a splay of up to 0 seconds) a maximum of 2 times or until a result of True is returned',
  );
});

test('the progress callback sees every result once, with the chunk count', async () => {
  const seen: Array<[string, number, number]> = [];
  await apply('a:\n  test.nop:\n    - require:\n      - test: b\nb: test.nop\nc: test.nop\n', {
    onChunkDone: (tag, ret, total) => seen.push([tag.split('_|-')[1]!, ret.__run_num__, total]),
  });
  assert.deepEqual(seen, [
    ['b', 0, 3],
    ['a', 1, 3],
    ['c', 2, 3],
  ]);
});

test('state functions get their arguments without name and the keywords the engine consumes', async () => {
  let seen: { args: Record<string, unknown>; chunk: Chunk } | undefined;
  const probe: StateFunction = async (name, args, ctx) => {
    seen = { args, chunk: ctx.chunk };
    return { name, result: true, changes: {}, comment: '' };
  };
  const chunks = await chunksOf('x:\n  probe.run:\n    - name: thing\n    - user: root\n    - runas: bob\n    - failhard: False\n    - order: 5\n');
  const before = structuredClone(chunks);
  await runChunks(chunks, { lookup: () => probe, test: false });
  assert.deepEqual(seen?.args, { user: 'root' });
  assert.equal(seen?.chunk.runas, 'bob');
  assert.deepEqual(chunks, before);
});

test('the retcode is 0 when all states pass, 2 when one fails or nothing ran, 1 for compile errors', async () => {
  assert.equal(stateRetcode((await apply('a: test.nop\nb: test.succeed_with_changes\n', { test: true })).ret), 0);
  assert.equal(stateRetcode((await apply('a: test.nop\nb: test.fail_without_changes\n')).ret), 2);
  assert.equal(stateRetcode({}), 2);
  assert.equal(stateRetcode(["No matching sls found for 'x' in env 'base'"]), 1);
});

test('a failure handled by an onfail state with onfail_stop False does not fail the retcode', async () => {
  const text = 'broken: test.fail_without_changes\nrescue:\n  test.succeed_without_changes:\n    - onfail:\n      - test: broken\n    - onfail_stop: False\n';
  const { ret } = await apply(text);
  const { high } = await buildHighState(['main'], 'base', async () => yaml.load(text));
  assert.equal(stateRetcode(ret), 2);
  assert.equal(stateRetcode(ret, high), 0);
});

test('configurable_test_state returns what it is told, and in test mode None when it would change', async () => {
  const ctx = { test: false, chunk: {} as Chunk, running: {} };
  const run = testStates.configurable_test_state!;
  assert.deepEqual(await run('x', { changes: false, result: false, comment: 'c', warnings: 'w' }, ctx), {
    name: 'x',
    changes: {},
    result: false,
    comment: 'c',
    warnings: ['w'],
  });
  const tested = await run('x', {}, { ...ctx, test: true });
  assert.deepEqual([tested.result, tested.comment], [null, 'This is a test']);
  assert.equal((await run('x', { changes: false }, { ...ctx, test: true })).result, true);
  await assert.rejects(run('x', { result: 'maybe' }, ctx), { code: 'ERR_INVOCATION' });
});
