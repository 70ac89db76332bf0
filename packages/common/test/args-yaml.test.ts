import assert from 'node:assert/strict';
import { test } from 'node:test';
import { yamlifyArg } from '../src/args/index.js';

const each = (cases: ReadonlyArray<readonly [string, unknown]>) => {
  for (const [input, expected] of cases) assert.deepEqual(yamlifyArg(input), expected, JSON.stringify(input));
};

test('numbers, booleans and None are loaded', () => {
  each([['42', 42], ['-7', -7], ['3.5', 3.5], ['True', true], ['false', false], ['None', null], ['null', null], ['~', null], ['NULL', null]]);
});

test('1.0 loads as the number 1, since JavaScript has one number type', () => {
  assert.equal(yamlifyArg('1.0'), 1);
});

test('YAML 1.1 words yes, no, on and off are booleans, as PyYAML reads them', () => {
  each([['yes', true], ['No', false], ['ON', true], ['off', false], ['y', 'y']]);
});

test('a leading zero does not make an octal: Salt reads 0755 as 755', () => {
  each([['0755', 755], ['07', 7], ['00', 0], ['0', 0]]);
});

test('08 and 09 stay strings, since YAML 1.1 sees neither an octal nor a decimal', () => {
  each([['08', '08'], ['09', '09']]);
});

test('a signed leading zero is still YAML 1.1 octal, because Salt only strips an unsigned one', () => {
  each([['-0755', -493], ['+010', 8]]);
});

test('hex, binary and base-60 ints follow YAML 1.1', () => {
  each([['0x1F', 31], ['0b101', 5], ['1:30', 90], ['-1:00:00', -3600], ['0o755', '0o755']]);
});

test('YAML 1.1 floats need a dot; other spellings stay strings', () => {
  each([['1.5e+3', 1500], ['.5', 0.5], ['1.', 1], ['1e5', '1e5'], ['-.5', '-.5'], ['1.0.0', '1.0.0']]);
  assert.equal(yamlifyArg('.inf'), Infinity);
  assert.ok(Number.isNaN(yamlifyArg('.nan')));
});

test('digits with underscores stay strings, but a signed one is an int', () => {
  each([['1_000', '1_000'], ['_', '_'], ['-1_000', -1000]]);
});

test('ints too large for a JavaScript number keep their digits as a string', () => {
  each([['12345678901234567890', '12345678901234567890'], ['[99999999999999999999]', ['99999999999999999999']]]);
});

test('lists and dicts are loaded only when written in brackets or braces', () => {
  each([
    ['[1,2]', [1, 2]],
    ['{a: 1}', { a: 1 }],
    ['{"a": [1, {"b": yes}]}', { a: [1, { b: true }] }],
    ['a: b', 'a: b'],
    ['- a', '- a'],
    [' [1]', ' [1]'],
  ]);
});

test('plain text, quoted text and dates stay strings', () => {
  each([['foo', 'foo'], ['web*', 'web*'], ['"quoted"', 'quoted'], ["'single'", 'single'], ['2020-01-01', '2020-01-01']]);
});

test('blank text and YAML document markers are kept as typed', () => {
  each([['', ''], ['  ', '  '], ['---', '---'], ['...', '...']]);
});

test('text with a tab or a line break is kept as typed', () => {
  each([['a\tb', 'a\tb'], ['1\n', '1\n'], ['[1,\n2]', '[1,\n2]']]);
});

test('a # is loaded only when that does not turn the text into a shorter string', () => {
  each([['#', '#'], ['# note', '# note'], ['foo #bar', 'foo #bar'], ['http://h/p#frag', 'http://h/p#frag'], ['5 # five', 5], ['[1] # one', [1]]]);
});

test('a # argument may load as a block list or mapping, as in Salt', () => {
  each([['- a # c', ['a']], ['a: b # c', { a: 'b' }]]);
});

test('YAML indicators that load as nothing are kept as typed', () => {
  each([['|', '|'], ['!', '!'], ['>', '>']]);
});

test('anything YAML refuses stays a string', () => {
  each([['echo a >> f && cat f', 'echo a >> f && cat f'], ['{a: 1, a: 2}', '{a: 1, a: 2}'], ['*x', '*x'], ['@x', '@x'], ['[1, 2', '[1, 2'], ['!!binary aGk=', '!!binary aGk=']]);
});

test('anything that is not a string is returned unchanged', () => {
  const obj = { a: 1 };
  assert.equal(yamlifyArg(obj), obj);
  assert.equal(yamlifyArg(5), 5);
});
