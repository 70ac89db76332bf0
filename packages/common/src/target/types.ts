/** The `tgt_type` values saltmq evaluates; the names are Salt's (`expr_form` on the wire). */
export type TargetType =
  | 'glob'
  | 'pcre'
  | 'list'
  | 'grain'
  | 'grain_pcre'
  | 'pillar'
  | 'pillar_pcre'
  | 'pillar_exact'
  | 'compound'
  | 'ipcidr';

/** Every target type except `compound`: what one word of a compound expression can be. */
export type TermType = Exclude<TargetType, 'compound'>;

/** A minion as targeting sees it. `grains`/`pillar` undefined means "no cached data" (master side). */
export interface TargetCandidate {
  id: string;
  grains?: Record<string, unknown> | undefined;
  pillar?: Record<string, unknown> | undefined;
}

/** How a target is read and matched. */
export interface TargetOptions {
  /** Separates nested keys in grain and pillar targets (Salt's `--delimiter`). @default ':' */
  delimiter?: string;
  /**
   * Salt's "greedy" master-side prediction: a grain, ipcidr or pillar term matches a candidate that
   * has no grains (or no pillar) at all, because the minion will decide for itself.
   * @default true for resolveTarget, false for matchTarget
   */
  greedy?: boolean;
}

/** One target term: a whole non-compound target, or one word of a compound one. */
export interface TargetTerm {
  type: 'term';
  tgtType: TermType;
  /** The pattern, without any `G@`-style prefix. */
  expr: string;
  /** Key delimiter for grain and pillar terms (`G;@os;Debian` sets `;`). */
  delimiter: string;
  /** The ids of a list term. */
  ids?: readonly string[];
}

/** The parsed form of a compound target, with Python's precedence: not > and > or. */
export type CompoundAst =
  | TargetTerm
  | { type: 'not'; operand: CompoundAst }
  | { type: 'and' | 'or'; left: CompoundAst; right: CompoundAst };

/** Salt's DEFAULT_TARGET_DELIM: separates nested keys in grain and pillar targets. */
export const DEFAULT_TARGET_DELIM = ':';
