import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compilePy, parseFlags, pySub, toBytes, fromBytes } from '../src/states/py-regex.js';
import { unifiedDiff } from '../src/states/file-diff.js';
import { makeStateFunctions } from '../src/states/index.js';
import { harness } from './states-harness.js';

// Expected values below were produced by CPython's re.subn on bytes, which is what Salt runs.
const sub = (pattern: string, repl: string, text: string, flags = 8, count = 0) => {
  const [out, n] = pySub(compilePy(toBytes(pattern), flags), toBytes(repl), toBytes(text), count);
  return [fromBytes(out), n];
};

test('Python regex anchors and dots keep Python meanings under MULTILINE and without it', () => {
  assert.deepEqual(sub('$', ';', 'a\r\nb\r\n'), ['a\r;\nb\r;\n;', 3]);
  assert.deepEqual(sub('$', ';', 'x\ny\n', 0), ['x\ny;\n;', 2]);
  assert.deepEqual(sub('^', '> ', 'x\ny', 0), ['> x\ny', 1]);
  assert.deepEqual(sub('.', '_', 'a\nb', 16), ['___', 3]);
  assert.deepEqual(sub('qux\\Z', 'Q', 'qux\nqux'), ['qux\nQ', 1]);
  assert.deepEqual(sub('\\Afoo', 'F', 'foo\nfoo'), ['F\nfoo', 1]);
});

test('Python replacement templates expand groups, named groups and escapes', () => {
  assert.deepEqual(sub('(\\w+)=(\\d+)', '\\2=\\1', 'x=1\ny=2'), ['1=x\n2=y', 2]);
  assert.deepEqual(sub('(?P<k>\\w+):(?P<v>\\w+)', '\\g<v>\\t\\g<k>', 'a:b'), ['b\ta', 1]);
  assert.deepEqual(sub('(a)|(b)', '[\\1\\2]', 'ab'), ['[a][b]', 2]);
  assert.deepEqual(sub('x*', '-', 'abxd'), ['-a-b--d-', 5]);
  assert.deepEqual(sub('o', '0', 'foo', 8, 1), ['f0o', 1]);
});

test('Python-only syntax is translated and what cannot be is refused by name', () => {
  assert.deepEqual(sub('(?x) f o o  # a comment', 'F', 'foo'), ['F', 1]);
  assert.deepEqual(sub('o{,2}x', 'X', 'ooox'), ['oX', 1]);
  assert.deepEqual(sub('[]a]', '!', 'a]'), ['!!', 2]);
  assert.deepEqual(sub('(?i)FOO', 'f', 'Foo'), ['f', 1]);
  assert.throws(() => compilePy('(?i:x)', 0), /scoped inline flags/);
  assert.throws(() => compilePy('(?(1)a|b)', 0), /conditional groups/);
  assert.throws(() => compilePy('(?>a)', 0), /atomic groups/);
  assert.equal(parseFlags(['IGNORECASE', 'multiline']), 10);
  assert.throws(() => parseFlags(['NOPE']), { code: 'ERR_INVOCATION', message: 'Invalid re flag given: NOPE' });
});

test('unified diffs pair repeated lines the way difflib does', () => {
  const a = ['}\n', 'x\n', '}\n', 'y\n'];
  const b = ['}\n', 'y\n'];
  assert.equal(unifiedDiff(a, b).join(''), '--- \n+++ \n@@ -1,4 +1,2 @@\n-}\n-x\n }\n y\n');
});

test('makeStateFunctions lists every module under its Salt name, test.* included', async (t) => {
  const h = await harness(t);
  const names = Object.keys(makeStateFunctions(h.deps));
  for (const fun of ['test.nop', 'test.succeed_with_changes', 'file.managed', 'file.directory', 'file.absent', 'file.symlink', 'file.append',
    'file.replace', 'file.touch', 'file.exists', 'file.missing', 'cmd.run', 'cmd.wait', 'cmd.script', 'cmd.mod_watch', 'pkg.installed',
    'pkg.latest', 'pkg.removed', 'pkg.purged', 'service.running', 'service.dead', 'service.enabled', 'service.disabled', 'service.mod_watch',
    'user.present', 'user.absent', 'group.present', 'group.absent']) {
    assert.ok(names.includes(fun), `${fun} is missing`);
  }
});
