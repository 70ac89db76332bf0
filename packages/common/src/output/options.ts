import type { ColorName } from './colors.js';

/** The highstate outputter's modes (`state_output`); the `_id` forms print the state ID where the name would go. */
export type StateOutputMode =
  | 'full'
  | 'terse'
  | 'mixed'
  | 'changes'
  | 'filter'
  | 'full_id'
  | 'terse_id'
  | 'mixed_id'
  | 'changes_id'
  | 'filter_id';

/**
 * What Salt's outputters read from `__opts__`, under camelCase names. One options object serves every
 * outputter, so the CLI can build it once from its config and flags and pass it to whichever is chosen.
 */
export interface OutputOptions {
  /** Salt's `color`: on only when stdout is a tty (or `--force-color`); a colour name paints everything in it. @default false */
  color?: boolean | ColorName | undefined;
  /** `--out-indent` / `output_indent` for json and yaml: a negative number or `null` gives one line, `'pretty'` sorts keys. */
  indent?: number | 'pretty' | null | undefined;
  /** `nested_indent`: where the nested outputter starts. @default 0 */
  nestedIndent?: number | undefined;
  /** The minion's retcode; a non-zero one paints nested keys and list markers red, as `salt` does. @default 0 */
  retcode?: number | undefined;
  /** `strip_colors`: ESC in returned text prints as `?`. @default true */
  stripColors?: boolean | undefined;
  /** `state_output`. @default 'full' */
  stateOutput?: StateOutputMode | undefined;
  /** `state_verbose`: false hides states that succeeded without changes. @default true */
  stateVerbose?: boolean | undefined;
  /** `state_output_profile`: print Started/Duration and the total run time. @default true */
  stateOutputProfile?: boolean | undefined;
  /** `state_output_pct`: add `Success %` and `Failure %` to the summary. @default false */
  stateOutputPct?: boolean | undefined;
  /** `state_output_diff`: hide states that succeeded without changes (like state_verbose false). @default false */
  stateOutputDiff?: boolean | undefined;
  /** `state_tabular: True`: aligned columns for the terse lines. @default false */
  stateTabular?: boolean | undefined;
  /** `state_output_exclude` for `state_output: filter`: results to hide, as `'True'`, `'False'`, `'None'`. */
  stateOutputExclude?: readonly string[] | undefined;
  /** `state_output_terse` for `state_output: filter`: results to print terse. */
  stateOutputTerse?: readonly string[] | undefined;
}
