/**
 * How PyYAML decides to write a scalar: which strings would read back as something else (YAML 1.1's
 * implicit types, so `yes`, `1:20` and `2024-01-01` need quotes) and which styles the characters allow.
 * Ported from PyYAML's resolver and `Emitter.analyze_scalar`, which `yaml.safe_dump` uses for `--out yaml`.
 */

type Resolver = readonly [tag: string, first: string, pattern: RegExp];

/** PyYAML's implicit resolvers, keyed by possible first characters (`''` stands for the empty string). */
const RESOLVERS: readonly Resolver[] = [
  ['bool', 'yYnNtTfFoO', /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/],
  [
    'float',
    '-+0123456789.',
    /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
  ],
  [
    'int',
    '-+0123456789',
    /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/,
  ],
  ['merge', '<', /^(?:<<)$/],
  ['null', '~nN', /^(?:~|null|Null|NULL)$/],
  [
    'timestamp',
    '0123456789',
    /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$/,
  ],
  ['value', '=', /^(?:=)$/],
  ['yaml', '!&*', /^(?:!|&|\*)$/],
];

/** The tag a plain scalar with this text would load as: `str` unless an implicit resolver claims it. */
export function resolvePlain(value: string): string {
  if (value === '') return 'null';
  // Python's `$` also matches before a final newline, so `'true\n'` still counts as a bool.
  const text = value.endsWith('\n') ? value.slice(0, -1) : value;
  for (const [tag, first, pattern] of RESOLVERS) {
    if (first.includes(value[0]!) && pattern.test(text)) return tag;
  }
  return 'str';
}

export interface ScalarAnalysis {
  readonly chars: readonly string[]; // by code point, as Python indexes a str
  readonly empty: boolean;
  readonly multiline: boolean;
  readonly allowFlowPlain: boolean;
  readonly allowBlockPlain: boolean;
  readonly allowSingleQuoted: boolean;
  readonly allowBlock: boolean;
}

const BREAKS = '\n\x85\u2028\u2029';
const SPACE_OR_BREAK = '\0 \t\r\n\x85\u2028\u2029';

/** Printable for PyYAML with `allow_unicode=True` (Salt's `safe_dump` sets it), so accents stay as they are. */
function isPrintable(ch: string): boolean {
  const cp = ch.codePointAt(0)!;
  if (ch === '\n' || (cp >= 0x20 && cp <= 0x7e)) return true;
  if (cp === 0xfeff) return false;
  return cp === 0x85 || (cp >= 0xa0 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp < 0x10ffff);
}

/** `Emitter.analyze_scalar`: which styles can carry this text unchanged. */
export function analyzeScalar(scalar: string): ScalarAnalysis {
  const chars = Array.from(scalar);
  if (chars.length === 0) {
    return { chars, empty: true, multiline: false, allowFlowPlain: false, allowBlockPlain: true, allowSingleQuoted: true, allowBlock: false };
  }
  let blockIndicators = false;
  let flowIndicators = false;
  let lineBreaks = false;
  let special = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  if (scalar.startsWith('---') || scalar.startsWith('...')) blockIndicators = flowIndicators = true;
  let precededByWhitespace = true;
  let followedByWhitespace = chars.length === 1 || SPACE_OR_BREAK.includes(chars[1]!);
  let previousSpace = false;
  let previousBreak = false;
  const last = chars.length - 1;
  chars.forEach((ch, index) => {
    if (index === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(ch)) flowIndicators = blockIndicators = true;
      if ('?:'.includes(ch)) {
        flowIndicators = true;
        if (followedByWhitespace) blockIndicators = true;
      }
      if (ch === '-' && followedByWhitespace) flowIndicators = blockIndicators = true;
    } else {
      if (',?[]{}'.includes(ch)) flowIndicators = true;
      if (ch === ':') {
        flowIndicators = true;
        if (followedByWhitespace) blockIndicators = true;
      }
      if (ch === '#' && precededByWhitespace) flowIndicators = blockIndicators = true;
    }
    if (BREAKS.includes(ch)) lineBreaks = true;
    if (!isPrintable(ch)) special = true;
    if (ch === ' ') {
      if (index === 0) leadingSpace = true;
      if (index === last) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (BREAKS.includes(ch)) {
      if (index === 0) leadingBreak = true;
      if (index === last) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = previousBreak = false;
    }
    precededByWhitespace = SPACE_OR_BREAK.includes(ch);
    followedByWhitespace = index + 2 >= chars.length || SPACE_OR_BREAK.includes(chars[index + 2]!);
  });
  let allowFlowPlain = true;
  let allowBlockPlain = true;
  let allowSingleQuoted = true;
  let allowBlock = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) allowFlowPlain = allowBlockPlain = false;
  if (trailingSpace) allowBlock = false;
  if (breakSpace) allowFlowPlain = allowBlockPlain = allowSingleQuoted = false;
  if (spaceBreak || special) allowFlowPlain = allowBlockPlain = allowSingleQuoted = allowBlock = false;
  if (lineBreaks) allowFlowPlain = allowBlockPlain = false;
  if (flowIndicators) allowFlowPlain = false;
  if (blockIndicators) allowBlockPlain = false;
  return { chars, empty: false, multiline: lineBreaks, allowFlowPlain, allowBlockPlain, allowSingleQuoted, allowBlock };
}

/** `choose_scalar_style` for an untagged, unstyled scalar: plain if it reads back the same, else `'`, else `"`. */
export function chooseStyle(
  a: ScalarAnalysis,
  plainKeepsType: boolean,
  ctx: { simpleKey: boolean; flowLevel: number },
): '' | "'" | '"' {
  if (plainKeepsType && !(ctx.simpleKey && (a.empty || a.multiline)) && (ctx.flowLevel ? a.allowFlowPlain : a.allowBlockPlain)) return '';
  if (a.allowSingleQuoted && !(ctx.simpleKey && a.multiline)) return "'";
  return '"';
}
