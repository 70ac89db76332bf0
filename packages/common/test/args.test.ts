import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCliArgs, parseKwarg, splitArgs } from '../src/args/index.js';

test('positional CLI arguments are YAML-loaded one by one', () => {
  assert.deepEqual(parseCliArgs(['1', 'True', 'foo', 'a: b', '[1,2]']), [1, true, 'foo', 'a: b', [1, 2]]);
  assert.deepEqual(parseCliArgs(['42']), [42]);
  assert.deepEqual(parseCliArgs(['True']), [true]);
  assert.deepEqual(parseCliArgs(['foo']), ['foo']);
  assert.deepEqual(parseCliArgs(['echo a >> f && cat f']), ['echo a >> f && cat f']);
});

test('key=value becomes a trailing dict marked __kwarg__', () => {
  assert.deepEqual(parseCliArgs(['a=1']), [{ __kwarg__: true, a: 1 }]);
  assert.deepEqual(parseCliArgs(['test=True']), [{ __kwarg__: true, test: true }]);
  assert.deepEqual(parseCliArgs(['pillar={"a": 1}']), [{ __kwarg__: true, pillar: { a: 1 } }]);
});

test('all kwargs go into one dict after the positional arguments, wherever they were typed', () => {
  assert.deepEqual(parseCliArgs(['x=1', 'pos', 'y=two', 'z=[1]']), ['pos', { __kwarg__: true, x: 1, y: 'two', z: [1] }]);
});

test('a repeated kwarg keeps its first position and its last value', () => {
  const [packed] = parseCliArgs(['a=1', 'b=2', 'a=3']) as [Record<string, unknown>];
  assert.deepEqual(Object.entries(packed), [['__kwarg__', true], ['a', 3], ['b', 2]]);
});

test('no kwargs means no trailing dict', () => {
  assert.deepEqual(parseCliArgs([]), []);
  assert.deepEqual(parseCliArgs(['a', 'b']), ['a', 'b']);
});

test('a kwarg value keeps everything after the first =', () => {
  assert.deepEqual(parseCliArgs(['cmd=echo a=b', 'empty=']), [{ __kwarg__: true, cmd: 'echo a=b', empty: '' }]);
});

test('only a name that could be a Python identifier (plus . and -) makes a kwarg', () => {
  assert.deepEqual(parseKwarg('a.b-c=1'), ['a.b-c', '1']);
  assert.deepEqual(parseKwarg('_x=1'), ['_x', '1']);
  assert.deepEqual(parseKwarg('café=1'), ['café', '1']);
  assert.equal(parseKwarg('9a=1'), undefined);
  assert.equal(parseKwarg('a b=1'), undefined);
  assert.equal(parseKwarg('x==1'), undefined);
  assert.equal(parseKwarg('=1'), undefined);
  assert.equal(parseKwarg('[a=1]'), undefined);
  assert.equal(parseKwarg('{"a": "b=c"}'), undefined);
  assert.deepEqual(parseCliArgs(['x==1', 'a b=1']), ['x==1', 'a b=1']);
});

test('a kwarg value cannot span lines, though one final newline is allowed', () => {
  assert.equal(parseKwarg('a=1\n2'), undefined);
  assert.deepEqual(parseKwarg('a=1\n'), ['a', '1']);
});

test('--no-parse keeps the named kwargs as typed', () => {
  assert.deepEqual(parseCliArgs(['v=1.0', 'w=1.0'], { noParse: ['v'] }), [{ __kwarg__: true, v: '1.0', w: 1 }]);
});

test('a 20-digit number is published as a string, as Salt does for jid-like ints', () => {
  assert.deepEqual(parseCliArgs(['20150213001905721678']), ['20150213001905721678']);
});

test('dicts already marked __kwarg__ are merged into the kwargs dict', () => {
  assert.deepEqual(parseCliArgs(['a', { __kwarg__: true, b: 1 }, 'c=2', { d: 3 }]), ['a', { d: 3 }, { __kwarg__: true, b: 1, c: 2 }]);
});

test('a __proto__ kwarg is an ordinary key, never the prototype', () => {
  const [packed] = parseCliArgs(['__proto__={"polluted": 1}']) as [Record<string, unknown>];
  assert.equal(Object.getPrototypeOf(packed), Object.prototype);
  assert.deepEqual(Object.getOwnPropertyDescriptor(packed, '__proto__')?.value, { polluted: 1 });
});

test('splitArgs turns __kwarg__ dicts into kwargs and keeps the rest positional', () => {
  assert.deepEqual(splitArgs(['a', 1, { __kwarg__: true, x: 1, y: [2] }, { plain: true }]), {
    args: ['a', 1, { plain: true }],
    kwargs: { x: 1, y: [2] },
  });
});

test('splitArgs merges several __kwarg__ dicts, later keys winning', () => {
  assert.deepEqual(splitArgs([{ __kwarg__: true, x: 1 }, { __kwarg__: true, x: 2, y: 3 }]), { args: [], kwargs: { x: 2, y: 3 } });
});

test('splitArgs reads a positional key=value string as a kwarg, as Salt minions do', () => {
  assert.deepEqual(splitArgs(['name=web', 'count=3', 'echo a=b']), { args: ['echo a=b'], kwargs: { name: 'web', count: 3 } });
});

test('splitArgs does not YAML-load positional strings a second time', () => {
  assert.deepEqual(splitArgs(['1', 'True', '[1]']), { args: ['1', 'True', '[1]'], kwargs: {} });
});

test('splitArgs drops a __kwarg__ key that is not exactly true and keeps the dict positional', () => {
  assert.deepEqual(splitArgs([{ __kwarg__: 'yes', z: 3 }]), { args: [{ z: 3 }], kwargs: {} });
});

test('what parseCliArgs publishes, splitArgs takes apart', () => {
  const published = parseCliArgs(['web', '3', 'force=True', 'opts={"a": [1]}']);
  assert.deepEqual(splitArgs(published), { args: ['web', 3], kwargs: { force: true, opts: { a: [1] } } });
});
