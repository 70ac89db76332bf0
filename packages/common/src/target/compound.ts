/**
 * Compound targets (salt/matchers/compound_match.py, CkMinions._check_compound_minions). The target
 * is split on whitespace, so parentheses must stand alone as words. Each word is an operator (`and`,
 * `or`, `not`, `(`, `)`), an engine-prefixed term (`G@os:Debian`, `L@a,b`, `E@^db`) or a bare glob.
 * Salt evaluates the words as a Python expression, so the precedence is Python's: not > and > or.
 * Like Salt, a `not` right after a term means `and not`, and an expression may start with `not`.
 */
import { TargetError } from './error.js';
import { compileTerm } from './term.js';
import type { CompoundAst, TermType } from './types.js';
import { DEFAULT_TARGET_DELIM } from './types.js';

/** Salt's TARGET_REX: an engine letter, an optional one-character delimiter (G, P, I, J only), '@'. */
const TARGET_REX = /^(?:([GPIJLNSER])((?<=[GPIJ]).)?@)?(.+)$/s;

const ENGINES: Readonly<Record<string, TermType>> = {
  G: 'grain',
  P: 'grain_pcre',
  I: 'pillar',
  J: 'pillar_pcre',
  L: 'list',
  S: 'ipcidr',
  E: 'pcre',
};

const OPERATORS = new Set(['and', 'or', 'not', '(', ')']);

type Token = { op: string; word: string } | { term: CompoundAst; word: string };

/** Parses and validates a compound target; throws TargetError naming the offending word. */
export function parseCompound(expr: string | readonly string[]): CompoundAst {
  const target = typeof expr === 'string' ? expr : expr.join(' ');
  const words = typeof expr === 'string' ? expr.split(/\s+/).filter(Boolean) : [...expr];
  if (words.length === 0) throw new TargetError(target, 'the compound expression is empty');
  const tokens = words.map((word) => tokenize(word, target));
  let pos = 0;
  const fail = (reason: string): never => {
    throw new TargetError(target, reason);
  };
  const where = () => (pos < tokens.length ? `"${tokens[pos]!.word}" (word ${pos + 1})` : 'the end');
  const peekOp = () => {
    const token = tokens[pos];
    return token && 'op' in token ? token.op : undefined;
  };

  const parseOr = (): CompoundAst => {
    let left = parseAnd();
    while (peekOp() === 'or') {
      pos++;
      left = { type: 'or', left, right: parseAnd() };
    }
    return left;
  };
  const parseAnd = (): CompoundAst => {
    let left = parseNot();
    for (;;) {
      if (peekOp() === 'and') pos++;
      else if (peekOp() !== 'not') return left; // `web1 not web2` reads as `web1 and not web2`
      left = { type: 'and', left, right: parseNot() };
    }
  };
  const parseNot = (): CompoundAst => {
    if (peekOp() !== 'not') return parseAtom();
    pos++;
    // Salt turns `not not x` into `not and not x`, which Python refuses; so do we.
    if (peekOp() === 'not') fail(`"not" cannot follow "not" at word ${pos + 1}`);
    return { type: 'not', operand: parseNot() };
  };
  const parseAtom = (): CompoundAst => {
    const token = tokens[pos];
    if (token === undefined) return fail(`expected a target at the end, after "${tokens[pos - 1]!.word}"`);
    if ('term' in token) {
      pos++;
      return token.term;
    }
    if (token.op !== '(') return fail(`expected a target but found ${where()}`);
    pos++;
    const inner = parseOr();
    if (peekOp() !== ')') fail(`expected ")" but found ${where()}`);
    pos++;
    return inner;
  };

  const ast = parseOr();
  if (pos < tokens.length) {
    fail(peekOp() === ')' ? `unbalanced ")" at word ${pos + 1}` : `expected "and" or "or" before ${where()}`);
  }
  return ast;
}

function tokenize(word: string, target: string): Token {
  if (OPERATORS.has(word)) return { op: word, word };
  const [, engine, delimiter, pattern] = TARGET_REX.exec(word)!;
  if (engine === undefined) {
    // Salt would glob for a minion literally named `G@`; that is never what the author meant.
    if (/^[GPIJLNSER].?@$/s.test(word)) throw new TargetError(target, `"${word}" names a target engine but gives no pattern`);
    return { term: compileTerm('glob', word, DEFAULT_TARGET_DELIM, target), word };
  }
  if (engine === 'N') throw new TargetError(target, `nodegroups (${word}) must be expanded before matching`);
  if (engine === 'R') throw new TargetError(target, `range targets (${word}) are not supported`);
  const tgtType = ENGINES[engine]!;
  return { term: compileTerm(tgtType, pattern!, delimiter ?? DEFAULT_TARGET_DELIM, target), word };
}
