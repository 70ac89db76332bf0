import { exprMatch } from '@saltmq/common';
import type { ReactorRule } from './rules.js';

/**
 * The SLS files an event's tag triggers: every matching rule counts, in config order. A pattern is
 * Salt's expr_match: a shell glob where `*` also crosses `/`, else a regex anchored at both ends.
 * Tags repeat a lot (salt/auth, salt/minion/x/start), so answers are cached per tag until the rules
 * change.
 */
export class RuleMatcher {
  readonly #cache = new Map<string, { pattern: string; sls: string[] }[]>();
  #prefixes: string[];

  constructor(private rules: readonly ReactorRule[]) {
    this.#prefixes = rules.map((r) => requiredPrefix(r.pattern));
  }

  setRules(rules: readonly ReactorRule[]): void {
    this.rules = rules;
    this.#prefixes = rules.map((r) => requiredPrefix(r.pattern));
    this.#cache.clear();
  }

  getRules(): readonly ReactorRule[] {
    return this.rules;
  }

  match(tag: string): { pattern: string; sls: string[] }[] {
    let found = this.#cache.get(tag);
    if (found) return found;
    // the literal prefix rules out most rules with a string compare before any regex runs
    found = this.rules.filter((rule, i) => tag.startsWith(this.#prefixes[i]!) && exprMatch(tag, rule.pattern));
    if (this.#cache.size > 10_000) this.#cache.clear();
    this.#cache.set(tag, found);
    return found;
  }
}

/**
 * The text every tag a pattern can match must start with, under both of expr_match's readings: as a
 * glob (up to the first `*`, `?` or `[`) and as a regex (up to the first metacharacter, and not the
 * character a quantifier applies to). A top-level alternation can match anything: no prefix then.
 */
export function requiredPrefix(pattern: string): string {
  if (pattern.includes('|')) return '';
  const globEnd = pattern.search(/[*?[]/);
  const glob = globEnd < 0 ? pattern : pattern.slice(0, globEnd);
  let regex = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if ('\\^$.|?*+()[]{}'.includes(c)) break;
    const next = pattern[i + 1];
    if (next !== undefined && '*?+{'.includes(next)) break;
    regex += c;
  }
  let common = 0;
  while (common < glob.length && common < regex.length && glob[common] === regex[common]) common++;
  return glob.slice(0, common);
}
