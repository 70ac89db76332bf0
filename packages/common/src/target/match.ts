/**
 * Targeting: which minions a `tgt`/`tgt_type` pair selects. The master predicts the set over its
 * accepted keys (Salt's CkMinions.check_minions, greedy by default) and each minion decides for itself
 * with the same code and its own grains (salt/matchers, exact).
 */
import { parseCompound } from './compound.js';
import { TargetError } from './error.js';
import { compileTerm, isTermType, matchTerm } from './term.js';
import type { CompoundAst, TargetCandidate, TargetOptions, TargetType } from './types.js';
import { DEFAULT_TARGET_DELIM } from './types.js';

/** Parses and validates any target into the tree that matchTarget evaluates; throws TargetError. */
export function compileTarget(tgt: string | readonly string[], tgtType: TargetType | string, options: TargetOptions = {}): CompoundAst {
  const shown = typeof tgt === 'string' ? tgt : tgt.join(',');
  if (tgtType === 'compound') return parseCompound(tgt);
  if (tgtType === 'nodegroup') throw new TargetError(shown, 'nodegroups must be expanded to a compound target before matching');
  if (!isTermType(tgtType)) {
    throw new TargetError(shown, `unknown target type ${JSON.stringify(tgtType)}; expected glob, pcre, list, grain, grain_pcre, pillar, pillar_pcre, pillar_exact, ipcidr or compound`);
  }
  return compileTerm(tgtType, tgt, options.delimiter ?? DEFAULT_TARGET_DELIM, shown);
}

/** Evaluates a compiled target for one minion. */
export function evaluateTarget(ast: CompoundAst, minion: TargetCandidate, greedy = false): boolean {
  switch (ast.type) {
    case 'term':
      return matchTerm(ast, minion, greedy);
    case 'not':
      return !evaluateTarget(ast.operand, minion, greedy);
    case 'and':
      return evaluateTarget(ast.left, minion, greedy) && evaluateTarget(ast.right, minion, greedy);
    case 'or':
      return evaluateTarget(ast.left, minion, greedy) || evaluateTarget(ast.right, minion, greedy);
  }
}

/**
 * Whether `minion` is targeted: the minion-side check, exact unless `options.greedy` is set.
 * Throws TargetError for an unknown type or a malformed target.
 */
export function matchTarget(
  tgt: string | readonly string[],
  tgtType: TargetType | string,
  minion: TargetCandidate,
  options: TargetOptions = {},
): boolean {
  return evaluateTarget(compileTarget(tgt, tgtType, options), minion, options.greedy ?? false);
}

/**
 * The master's prediction: the sorted ids of the candidates the target selects, and (for list
 * targets, including `L@` terms of a compound that are not directly negated) the listed ids that are
 * not candidates. Greedy by default, as Salt's publish is: minions without grains or pillar data are
 * included for terms that need them, and they make the final call themselves.
 */
export function resolveTarget(
  tgt: string | readonly string[],
  tgtType: TargetType | string,
  candidates: Iterable<TargetCandidate>,
  options: TargetOptions = {},
): { minions: string[]; missing: string[] } {
  const ast = compileTarget(tgt, tgtType, options);
  const greedy = options.greedy ?? true;
  const known = new Set<string>();
  const minions = new Set<string>();
  for (const candidate of candidates) {
    known.add(candidate.id);
    if (evaluateTarget(ast, candidate, greedy)) minions.add(candidate.id);
  }
  const missing = new Set<string>();
  for (const id of listedIds(ast)) if (!known.has(id)) missing.add(id);
  return { minions: [...minions].sort(), missing: [...missing] };
}

/** Ids named by list terms; Salt ignores those right after a `not` (they are being excluded). */
function listedIds(ast: CompoundAst): string[] {
  switch (ast.type) {
    case 'term':
      return ast.tgtType === 'list' ? [...(ast.ids ?? [])] : [];
    case 'not':
      return ast.operand.type === 'term' ? [] : listedIds(ast.operand);
    default:
      return [...listedIds(ast.left), ...listedIds(ast.right)];
  }
}
