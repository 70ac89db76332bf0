/**
 * The few Python text behaviours Salt's outputters lean on: `repr`/`str` of plain data, `splitlines`,
 * `strip`, `'%.3f'` and `round`. Each one differs from its JavaScript look-alike in ways that show up
 * in printed output (`True`, `'a'`, `1e-05`, banker's rounding of exact ties), so they live here once.
 */

/** Python's `str.isspace()` set; `String.prototype.trim` knows a different one (e.g. not `\x1c`-`\x1f`, `\x85`). */
const PY_SPACE = '\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const LEADING_SPACE = new RegExp(`^[${PY_SPACE}]+`);
const TRAILING_SPACE = new RegExp(`[${PY_SPACE}]+$`);

export const pyLstrip = (s: string): string => s.replace(LEADING_SPACE, '');
export const pyRstrip = (s: string): string => s.replace(TRAILING_SPACE, '');
export const pyStrip = (s: string): string => pyRstrip(pyLstrip(s));

/** The line boundaries of Python's `str.splitlines()`, which are more than `\n`. */
const LINE_BREAK = /\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]/;

/** `str.splitlines()`: no empty last item for a trailing break, and `''` gives no lines at all. */
export function pySplitlines(s: string): string[] {
  if (s === '') return [];
  const lines = s.split(LINE_BREAK);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Python sorts `str` keys by code point; JavaScript's default sort compares UTF-16 units. */
export function pyCompare(a: string, b: string): number {
  const x = Array.from(a);
  const y = Array.from(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

export const pySortedKeys = (o: object): string[] => Object.keys(o).sort(pyCompare);

/** A JSON object as Python sees a dict (not an array, not null). */
export function isDict(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v);
}

/** Python's `bool(v)` for data: empty containers, `''`, `0`, `None` and `False` are false; NaN is true. */
export function pyTruthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === '' || v === 0n) return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isDict(v)) return Object.keys(v).length > 0;
  return true;
}

/**
 * `repr(float)`: the shortest round-trip digits (as JavaScript finds them), laid out by Python's rule:
 * scientific when the exponent is below -4 or at least 16, with a two-digit exponent (`1e-05`, `1e+16`),
 * and always a fraction otherwise (`2.0`).
 */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const [mantissa = '', exp = '0'] = Math.abs(x).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const decpt = Number(exp) + 1; // where the point goes, counted from the first digit
  if (decpt <= -4 || decpt > 16) {
    const e = decpt - 1;
    const frac = digits.length > 1 ? `.${digits.slice(1)}` : '';
    return `${sign}${digits[0]}${frac}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  if (decpt <= 0) return `${sign}0.${'0'.repeat(-decpt)}${digits}`;
  if (decpt >= digits.length) return `${sign}${digits}${'0'.repeat(decpt - digits.length)}.0`;
  return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
}

/**
 * A JavaScript number as Python would hold it after a JSON round trip: whole numbers are `int`, the rest
 * `float`. Past 2**53 a whole number is taken for a float (`1e+22`): an exact int that big cannot reach us.
 */
export function pyNumberRepr(x: number): string {
  return Number.isSafeInteger(x) ? String(x === 0 ? 0 : x) : pyFloatRepr(x);
}

/**
 * `'%.Nf' % x`. `toFixed` already rounds the exact binary value, but breaks an exact tie upwards where
 * Python goes to the even digit (`'%.3f' % 0.0625` is `0.062`); ties are detected on the exact expansion.
 */
export function pyFixed(x: number, places: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  const a = Math.abs(x);
  if (a >= 1e21) return sign + BigInt(Math.round(a)).toString() + (places > 0 ? '.' + '0'.repeat(places) : '');
  const exact = a.toFixed(100); // exact for every double below 1e21 that can tie at `places`
  const point = exact.indexOf('.');
  const rest = exact.slice(point + 1 + places);
  if (/^50*$/.test(rest)) {
    const kept = exact.slice(0, places > 0 ? point + 1 + places : point);
    const last = Number(kept[kept.length - 1]);
    if (last % 2 === 0) return sign + kept;
  }
  return sign + a.toFixed(places);
}

/** `round(x, places)` for a float: correctly rounded, ties to even. */
export const pyRound = (x: number, places: number): number => Number(pyFixed(x, places));

/** Python's `str.isprintable()`: everything but the Unicode "Other" and "Separator" categories, space excepted. */
const NOT_PRINTABLE = /[\p{C}\p{Z}]/u;

/** `repr(str)`: single quotes unless the text holds a `'` and no `"`; escapes as CPython writes them. */
export function pyStrRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === quote || ch === '\\') out += '\\' + ch;
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch !== ' ' && NOT_PRINTABLE.test(ch)) {
      const hex = cp.toString(16);
      out += cp < 0x100 ? `\\x${hex.padStart(2, '0')}` : cp < 0x10000 ? `\\u${hex.padStart(4, '0')}` : `\\U${hex.padStart(8, '0')}`;
    } else out += ch;
  }
  return out + quote;
}

/** `repr()` of JSON-shaped data: `{'web1': True}`, `[1, 2.5, None]`, keys in insertion order as a dict keeps them. */
export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return pyNumberRepr(v);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'string') return pyStrRepr(v);
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (isDict(v)) {
    const items = Object.entries(v).filter(([, item]) => item !== undefined);
    return `{${items.map(([k, item]) => `${pyStrRepr(k)}: ${pyRepr(item)}`).join(', ')}}`;
  }
  return pyStrRepr(String(v));
}

/** `str()`: a string as itself, anything else as its `repr`. */
export const pyStr = (v: unknown): string => (typeof v === 'string' ? v : pyRepr(v));

/** Salt's `strip_esc_sequence`: an ESC in returned text becomes `?`, so a return cannot drive the terminal. */
export const stripEsc = (s: string): string => s.replaceAll('\x1b', '?');
