import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matchTarget, parseCompound, resolveTarget } from '../src/target/index.js';
import type { TargetCandidate } from '../src/target/index.js';

const minion = (id: string, grains: Record<string, unknown>, pillar: Record<string, unknown> = {}): TargetCandidate => ({ id, grains, pillar });
const web1 = minion('web1', { os: 'Debian', env: 'prod', ipv4: ['10.0.0.5'] }, { role: 'web' });
const web2 = minion('web2', { os: 'Ubuntu', env: 'dev', ipv4: ['10.0.0.6'] }, { role: 'web' });
const db1 = minion('db1', { os: 'Debian', env: 'dev', ipv4: ['10.0.1.7'] }, { role: 'db' });
const dbx = minion('dbx', { os: 'CentOS', env: 'prod', ipv4: ['192.168.1.1'] });
const ALL = [web1, web2, db1, dbx];

const selected = (expr: string) => ALL.filter((m) => matchTarget(expr, 'compound', m)).map((m) => m.id);

test('G@os:Debian and web* needs both the grain and the glob', () => {
  assert.deepEqual(selected('G@os:Debian and web*'), ['web1']);
});

test('L@a,b or E@^db takes either the list or the regex', () => {
  assert.deepEqual(selected('L@web2,nobody or E@^db'), ['web2', 'db1', 'dbx']);
});

test('an expression may start with not, meaning every other minion', () => {
  assert.deepEqual(selected('not web1'), ['web2', 'db1', 'dbx']);
  assert.deepEqual(selected('not G@os:Debian'), ['web2', 'dbx']);
});

test('parentheses group, and not applies to what follows', () => {
  assert.deepEqual(selected('( web* or db* ) and not G@env:prod'), ['web2', 'db1']);
  assert.deepEqual(selected('not ( web* or G@os:CentOS )'), ['db1']);
});

test('precedence is Python\'s: not binds tighter than and, and tighter than or', () => {
  assert.deepEqual(selected('web1 or db* and G@env:dev'), ['web1', 'db1']);
  assert.deepEqual(selected('not web1 and web*'), ['web2']);
  assert.deepEqual(parseCompound('a or b and not c'), {
    type: 'or',
    left: { type: 'term', tgtType: 'glob', expr: 'a', delimiter: ':' },
    right: {
      type: 'and',
      left: { type: 'term', tgtType: 'glob', expr: 'b', delimiter: ':' },
      right: { type: 'not', operand: { type: 'term', tgtType: 'glob', expr: 'c', delimiter: ':' } },
    },
  });
});

test('a not right after a term means and not, as in Salt', () => {
  assert.deepEqual(selected('web* not web1'), ['web2']);
});

test('every engine prefix maps to its matcher', () => {
  assert.deepEqual(selected('P@os:(Debian|Ubuntu) and not E@^web1$'), ['web2', 'db1']);
  assert.deepEqual(selected('I@role:web'), ['web1', 'web2']);
  assert.deepEqual(selected('J@role:^d'), ['db1']);
  assert.deepEqual(selected('S@10.0.0.0/24'), ['web1', 'web2']);
  assert.deepEqual(selected('S@10.0.1.7 or S@192.168.0.0/16'), ['db1', 'dbx']);
});

test('a grain term may choose its own delimiter before the @', () => {
  assert.deepEqual(selected('G;@os;Debian'), ['web1', 'db1']);
  assert.deepEqual(parseCompound('G|@a|b'), { type: 'term', tgtType: 'grain', expr: 'a|b', delimiter: '|' });
});

test('a word with an unknown engine letter is a glob, as in Salt', () => {
  assert.deepEqual(parseCompound('X@web'), { type: 'term', tgtType: 'glob', expr: 'X@web', delimiter: ':' });
});

test('a compound target may be given as a list of words', () => {
  assert.equal(matchTarget(['G@os:Debian', 'and', 'web*'], 'compound', web1), true);
});

test('malformed compound expressions are TargetErrors', () => {
  for (const bad of [
    'G@ and',
    'web1 and',
    'and web1',
    'or',
    '( web1',
    'web1 )',
    '( web1 ) )',
    '( )',
    '( and web1 )',
    'web1 web2',
    'web1 ( db1 )',
    'not not web1',
    'not',
    '',
    '   ',
    'E@(',
    'G@os',
    'S@10.0.0.1/8',
    'N@group',
    'R@%cluster',
  ]) {
    assert.throws(() => parseCompound(bad), { code: 'ERR_TARGET', name: 'TargetError' }, JSON.stringify(bad));
  }
});

test('a TargetError names the target and says what is wrong', () => {
  assert.throws(() => parseCompound('( web* or db*'), (error: Error & { target?: string }) => {
    assert.equal(error.target, '( web* or db*');
    assert.match(error.message, /expected "\)"/);
    return true;
  });
});

test('resolveTarget on a compound reports missing L@ ids, except those excluded with not', () => {
  assert.deepEqual(resolveTarget('L@web1,ghost or E@^db', 'compound', ALL), { minions: ['db1', 'dbx', 'web1'], missing: ['ghost'] });
  assert.deepEqual(resolveTarget('web* and not L@web1,ghost', 'compound', ALL), { minions: ['web2'], missing: [] });
});

test('greedy resolution keeps grainless minions for grain terms but drops them under not', () => {
  const fresh: TargetCandidate = { id: 'web9' };
  const pool = [...ALL, fresh];
  assert.deepEqual(resolveTarget('web* and G@os:Debian', 'compound', pool).minions, ['web1', 'web9']);
  assert.deepEqual(resolveTarget('web* and not G@os:Debian', 'compound', pool).minions, ['web2']);
  assert.deepEqual(resolveTarget('web* and G@os:Debian', 'compound', pool, { greedy: false }).minions, ['web1']);
});
