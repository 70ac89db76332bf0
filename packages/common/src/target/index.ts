/**
 * Salt targeting: glob, pcre, list, grain, pillar, ipcidr and compound targets, for the master's
 * prediction and the minion's own check.
 * @module
 */
export { matchTarget, resolveTarget, compileTarget, evaluateTarget } from './match.js';
export { parseCompound } from './compound.js';
export { TargetError } from './error.js';
export { DEFAULT_TARGET_DELIM } from './types.js';
export type { TargetType, TermType, TargetCandidate, TargetOptions, TargetTerm, CompoundAst } from './types.js';
