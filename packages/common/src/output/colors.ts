/**
 * Salt's colour table (`salt.utils.color.get_colors`). Every sequence starts with a reset, because Salt's
 * `TextFormat` prepends code 0: red is `ESC[0;31m`, light red `ESC[0;1;31m`, and ENDC is `ESC[0;0m`.
 */
const sgr = (...codes: string[]): string => `\x1b[${['0', ...codes].join(';')}m`;

const ANSI = {
  BLACK: sgr('30'),
  DARK_GRAY: sgr('1', '30'),
  RED: sgr('31'),
  LIGHT_RED: sgr('1', '31'),
  GREEN: sgr('32'),
  LIGHT_GREEN: sgr('1', '32'),
  YELLOW: sgr('33'),
  LIGHT_YELLOW: sgr('1', '33'),
  BLUE: sgr('34'),
  LIGHT_BLUE: sgr('1', '34'),
  MAGENTA: sgr('35'),
  LIGHT_MAGENTA: sgr('1', '35'),
  CYAN: sgr('36'),
  LIGHT_CYAN: sgr('1', '36'),
  LIGHT_GRAY: sgr('37'),
  WHITE: sgr('1', '37'),
  DEFAULT_COLOR: sgr('39'),
  ENDC: sgr('0'),
} as const;

export type ColorName = keyof typeof ANSI;
export type Colors = Readonly<Record<ColorName, string>>;

const NONE = Object.fromEntries(Object.keys(ANSI).map((k) => [k, ''])) as Record<ColorName, string>;

/**
 * `get_colors(use)`: `false` blanks every colour (what Salt does when stdout is not a tty), `true` gives
 * the table, and a colour name paints everything but ENDC in that one colour.
 */
export function getColors(use: boolean | ColorName = false): Colors {
  if (use === false) return NONE;
  if (use === true) return ANSI;
  const one = ANSI[use];
  return Object.fromEntries(Object.keys(ANSI).map((k) => [k, k === 'ENDC' ? ANSI.ENDC : one])) as Record<ColorName, string>;
}
