/**
 * One target term, checked once when it is compiled and then matched against any number of minions.
 * These are Salt's minion-side matchers (salt/matchers/*_match.py) plus the master's greedy rule.
 */
import { fnmatch } from '../match/fnmatch.js';
import { TargetError } from './error.js';
import { ipTargetMatches, ipVersion, parseIpTarget } from './ip.js';
import { pyMatch, pyRegex } from './py-regex.js';
import { subdictMatch } from './subdict.js';
import type { TargetCandidate, TargetTerm, TermType } from './types.js';

const TERM_TYPES: ReadonlySet<string> = new Set<TermType>([
  'glob', 'pcre', 'list', 'grain', 'grain_pcre', 'pillar', 'pillar_pcre', 'pillar_exact', 'ipcidr',
]);

export function isTermType(value: string): value is TermType {
  return TERM_TYPES.has(value);
}

/**
 * Validates a term and returns it. `target` is the whole target, for the error message. A list
 * given as one string is split on commas, or on whitespace when it has none (the `salt -L` rule).
 */
export function compileTerm(tgtType: TermType, expr: string | readonly string[], delimiter: string, target: string): TargetTerm {
  if (tgtType === 'list') {
    const ids = typeof expr !== 'string' ? [...expr] : expr.includes(',') ? expr.replace(/ /g, '').split(',') : expr.split(/\s+/);
    return { type: 'term', tgtType, expr: typeof expr === 'string' ? expr : expr.join(','), delimiter, ids: ids.filter(Boolean) };
  }
  if (typeof expr !== 'string') throw new TargetError(target, `a ${tgtType} target must be a string, not a list`);
  const term: TargetTerm = { type: 'term', tgtType, expr, delimiter };
  switch (tgtType) {
    case 'pcre':
      if (!pyRegex(expr)) throw new TargetError(target, `${JSON.stringify(expr)} is not a valid regular expression`);
      break;
    case 'grain':
    case 'grain_pcre':
    case 'pillar':
    case 'pillar_pcre':
    case 'pillar_exact':
      checkKeyed(term, target);
      break;
    case 'ipcidr': {
      const parsed = parseIpTarget(expr);
      if (typeof parsed === 'string') throw new TargetError(target, `${JSON.stringify(expr)} is ${parsed}`);
      break;
    }
  }
  return term;
}

/** Whether the term selects this minion. With `greedy`, missing grains or pillar count as a match. */
export function matchTerm(term: TargetTerm, minion: TargetCandidate, greedy: boolean): boolean {
  switch (term.tgtType) {
    case 'glob':
      return fnmatch(minion.id, term.expr);
    case 'pcre':
      return pyMatch(term.expr, minion.id);
    case 'list':
      return term.ids?.includes(minion.id) ?? false;
    case 'grain':
      return minion.grains === undefined ? greedy : subdictMatch(minion.grains, term.expr, term.delimiter, 'glob');
    case 'grain_pcre':
      return minion.grains === undefined ? greedy : subdictMatch(minion.grains, term.expr, term.delimiter, 'regex');
    case 'pillar':
      return minion.pillar === undefined ? greedy : subdictMatch(minion.pillar, term.expr, term.delimiter, 'glob');
    case 'pillar_pcre':
      return minion.pillar === undefined ? greedy : subdictMatch(minion.pillar, term.expr, term.delimiter, 'regex');
    case 'pillar_exact':
      return minion.pillar === undefined ? greedy : subdictMatch(minion.pillar, term.expr, term.delimiter, 'exact');
    case 'ipcidr': {
      if (minion.grains === undefined) return greedy;
      const target = parseIpTarget(term.expr);
      const addresses = typeof target === 'string' ? undefined : minion.grains[`ipv${ipVersion(target)}`];
      return typeof target !== 'string' && Array.isArray(addresses) && ipTargetMatches(target, addresses);
    }
  }
}

function checkKeyed(term: TargetTerm, target: string): void {
  const { expr, delimiter, tgtType } = term;
  if (delimiter === '') throw new TargetError(target, 'the key delimiter must not be empty');
  // Salt's grain and pillar matchers refuse an expression without the delimiter: there is no value to match.
  if (!expr.includes(delimiter)) {
    throw new TargetError(target, `a ${tgtType} target needs a key and a value, like "os${delimiter}Debian"; got ${JSON.stringify(expr)}`);
  }
  if (tgtType !== 'grain_pcre' && tgtType !== 'pillar_pcre') return;
  // Any part after a delimiter may be the regex (the delimiter can occur in the value); refuse only
  // when none of them compiles, since then the term could never match anything.
  const splits = expr.split(delimiter);
  const candidates = splits.slice(1).map((_, i) => splits.slice(i + 1).join(delimiter));
  if (!candidates.some((pattern) => pyRegex(pattern, true))) {
    throw new TargetError(target, `${JSON.stringify(candidates[candidates.length - 1])} is not a valid regular expression`);
  }
}
