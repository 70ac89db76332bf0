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

  constructor(private rules: readonly ReactorRule[]) {}

  setRules(rules: readonly ReactorRule[]): void {
    this.rules = rules;
    this.#cache.clear();
  }

  getRules(): readonly ReactorRule[] {
    return this.rules;
  }

  match(tag: string): { pattern: string; sls: string[] }[] {
    let found = this.#cache.get(tag);
    if (found) return found;
    found = this.rules.filter((rule) => exprMatch(tag, rule.pattern));
    if (this.#cache.size > 10_000) this.#cache.clear();
    this.#cache.set(tag, found);
    return found;
  }
}
