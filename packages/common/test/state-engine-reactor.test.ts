import assert from 'node:assert/strict';
import { test } from 'node:test';
import yaml from 'js-yaml';
import { compileReactions } from '../src/state-engine/index.js';

// Salt's tests/unit/utils/test_reactor.py SLS files, with the Jinja values already filled in.
const SLS: Record<string, string> = {
  old_runner: 'raise_error:\n  runner.error.error:\n    - name: Exception\n    - message: This is an error\n',
  old_wheel: 'remove_key:\n  wheel.key.delete:\n    - match: foo\n',
  old_local:
    'install_zsh:\n  local.state.single:\n    - tgt: test\n    - arg:\n      - pkg.installed\n      - zsh\n    - kwarg:\n        fromrepo: updates\n',
  old_cmd:
    'install_zsh:\n  cmd.state.single:\n    - tgt: test\n    - arg:\n      - pkg.installed\n      - zsh\n    - kwarg:\n        fromrepo: updates\n',
  old_caller: 'touch_file:\n  caller.file.touch:\n    - args:\n      - /tmp/foo\n',
  new_runner: 'raise_error:\n  runner.error.error:\n    - args:\n      - name: Exception\n      - message: This is an error\n',
  new_wheel: 'remove_key:\n  wheel.key.delete:\n    - args:\n      - match: foo\n',
  new_local:
    'install_zsh:\n  local.state.single:\n    - tgt: test\n    - args:\n      - fun: pkg.installed\n      - name: zsh\n      - fromrepo: updates\n',
  new_cmd:
    'install_zsh:\n  cmd.state.single:\n    - tgt: test\n    - args:\n      - fun: pkg.installed\n      - name: zsh\n      - fromrepo: updates\n',
  new_caller: 'touch_file:\n  caller.file.touch:\n    - args:\n      - name: /tmp/foo\n',
};

const path = (tag: string) => `/srv/reactor/${tag}.sls`;
const common = (tag: string, state: string, id: string) => ({ state, __id__: id, __sls__: path(tag), order: 1 });

// Salt's LOW_CHUNKS for the same files.
const EXPECTED: Record<string, Record<string, unknown>> = {
  old_runner: { ...common('old_runner', 'runner', 'raise_error'), fun: 'error.error', name: 'Exception', message: 'This is an error' },
  old_wheel: { ...common('old_wheel', 'wheel', 'remove_key'), name: 'remove_key', fun: 'key.delete', match: 'foo' },
  old_local: {
    ...common('old_local', 'local', 'install_zsh'),
    name: 'install_zsh',
    tgt: 'test',
    fun: 'state.single',
    arg: ['pkg.installed', 'zsh'],
    kwarg: { fromrepo: 'updates' },
  },
  old_cmd: {
    ...common('old_cmd', 'local', 'install_zsh'),
    name: 'install_zsh',
    tgt: 'test',
    fun: 'state.single',
    arg: ['pkg.installed', 'zsh'],
    kwarg: { fromrepo: 'updates' },
  },
  old_caller: { ...common('old_caller', 'caller', 'touch_file'), name: 'touch_file', fun: 'file.touch', args: ['/tmp/foo'] },
  new_runner: {
    ...common('new_runner', 'runner', 'raise_error'),
    name: 'raise_error',
    fun: 'error.error',
    args: [{ name: 'Exception' }, { message: 'This is an error' }],
  },
  new_wheel: { ...common('new_wheel', 'wheel', 'remove_key'), name: 'remove_key', fun: 'key.delete', args: [{ match: 'foo' }] },
  new_local: {
    ...common('new_local', 'local', 'install_zsh'),
    name: 'install_zsh',
    tgt: 'test',
    fun: 'state.single',
    args: [{ fun: 'pkg.installed' }, { name: 'zsh' }, { fromrepo: 'updates' }],
  },
  new_cmd: {
    ...common('new_cmd', 'local', 'install_zsh'),
    name: 'install_zsh',
    tgt: 'test',
    fun: 'state.single',
    args: [{ fun: 'pkg.installed' }, { name: 'zsh' }, { fromrepo: 'updates' }],
  },
  new_caller: { ...common('new_caller', 'caller', 'touch_file'), name: 'touch_file', fun: 'file.touch', args: [{ name: '/tmp/foo' }] },
};

for (const [tag, text] of Object.entries(SLS)) {
  test(`the ${tag.replace('_', ' ')} reaction compiles to Salt's low chunk`, () => {
    const { chunks, errors } = compileReactions([{ path: path(tag), data: yaml.load(text) }]);
    assert.deepEqual(errors, []);
    assert.deepEqual(chunks, [EXPECTED[tag]]);
  });
}

test('reactions in one file run by state+name+fun, not file order, unless order is given', () => {
  const data = yaml.load('zz:\n  local.test.ping:\n    - tgt: "*"\naa: runner.jobs.active\nmm:\n  wheel.key.list_all:\n    - order: 1\n');
  const { chunks } = compileReactions([{ path: '/r.sls', data }]);
  // wheel has order 1 (cap becomes 101 for the others); local < runner by state name.
  assert.deepEqual(
    chunks.map((c) => [c.__id__, c.order]),
    [
      ['mm', 1],
      ['zz', 101],
      ['aa', 101],
    ],
  );
});

test('a later file replaces a duplicate ID from an earlier one, and empty files add nothing', () => {
  const first = { path: '/a.sls', data: yaml.load('same:\n  local.test.ping:\n    - tgt: a\n') };
  const empty = { path: '/empty.sls', data: null };
  const second = { path: '/b.sls', data: yaml.load('same:\n  local.test.ping:\n    - tgt: b\n') };
  const { chunks, errors } = compileReactions([first, empty, second]);
  assert.deepEqual(errors, []);
  assert.equal(chunks.length, 1);
  assert.equal(chunks[0]!.tgt, 'b');
  assert.equal(chunks[0]!.__sls__, '/b.sls');
});

test('a structural error in any reaction file means no reactions for the event', () => {
  const good = { path: '/good.sls', data: yaml.load('ok: runner.jobs.active\n') };
  const bad = { path: '/bad.sls', data: yaml.load('broken:\n  local.test.ping: {tgt: x}\n') };
  const { chunks, errors } = compileReactions([good, bad]);
  assert.deepEqual(chunks, []);
  assert.deepEqual(errors, ["State 'broken' in SLS '/bad.sls' is not formed as a list"]);
});

test('a file that does not render to a mapping is skipped and the others still react', () => {
  const good = { path: '/good.sls', data: yaml.load('ok: runner.jobs.active\n') };
  const list = { path: '/list.sls', data: ['not', 'a', 'mapping'] };
  const { chunks, errors } = compileReactions([list, good]);
  assert.equal(chunks.length, 1);
  assert.equal(errors.length, 1);
  assert.match(errors[0]!, /^Failed to render "\/list.sls"/);
});
