/**
 * Python `str` methods for Jinja templates: `data['id'].startswith('Min')`, `tag.split('/')[2]`,
 * `'{0}-{1}'.format(a, b)`, `', '.join(names)`. JavaScript's own string methods stay out of reach,
 * because several share a name and differ (`replace` replaces only the first match, `split` has no
 * maxsplit and no whitespace mode).
 */
import { strFormat } from './format.js';
import { PythonError, bindArgs, pyIter, pyStr, splitArgs } from './values.js';

type StrMethod = (self: string, ...args: unknown[]) => unknown;

const WHITESPACE = ' \t\n\r\x0b\x0c';

function prefixes(arg: unknown): string[] {
  return Array.isArray(arg) ? arg.map(pyStr) : [pyStr(arg)];
}

/** Python slice bounds for start/end arguments (negative counts from the end). */
function bounds(self: string, start: unknown, end: unknown): [number, number] {
  const clamp = (v: unknown, dflt: number) => {
    if (v === undefined || v === null) return dflt;
    const n = Math.trunc(Number(v));
    return n < 0 ? Math.max(self.length + n, 0) : Math.min(n, self.length);
  };
  return [clamp(start, 0), clamp(end, self.length)];
}

function stripChars(chars: unknown): string {
  return chars === undefined || chars === null ? WHITESPACE : pyStr(chars);
}

function lstrip(self: string, chars: unknown): string {
  const set = stripChars(chars);
  let i = 0;
  while (i < self.length && set.includes(self[i] as string)) i++;
  return self.slice(i);
}

function rstrip(self: string, chars: unknown): string {
  const set = stripChars(chars);
  let i = self.length;
  while (i > 0 && set.includes(self[i - 1] as string)) i--;
  return self.slice(0, i);
}

/** `str.split(sep=None, maxsplit=-1)`: with no sep, runs of whitespace separate and edges are dropped. */
function split(self: string, sep: unknown, maxsplit: unknown): string[] {
  const max = maxsplit === undefined || maxsplit === null ? -1 : Number(maxsplit);
  if (sep === undefined || sep === null) {
    const out: string[] = [];
    let rest = lstrip(self, undefined);
    while (rest !== '') {
      if (max >= 0 && out.length === max) { out.push(rest); break; }
      const m = /[ \t\n\r\x0b\x0c]+/.exec(rest);
      if (!m) { out.push(rest); break; }
      out.push(rest.slice(0, m.index));
      rest = rest.slice(m.index + m[0].length);
    }
    return out;
  }
  const s = pyStr(sep);
  if (s === '') throw new PythonError('ValueError', 'empty separator');
  const parts = self.split(s);
  if (max < 0 || parts.length <= max + 1) return parts;
  return [...parts.slice(0, max), parts.slice(max).join(s)];
}

function rsplit(self: string, sep: unknown, maxsplit: unknown): string[] {
  const max = maxsplit === undefined || maxsplit === null ? -1 : Number(maxsplit);
  if (max < 0) return split(self, sep, -1);
  if (sep === undefined || sep === null) {
    const reversed = split([...self].reverse().join(''), undefined, max);
    return reversed.map((part) => [...part].reverse().join('')).reverse();
  }
  const s = pyStr(sep);
  const parts = self.split(s);
  if (parts.length <= max + 1) return parts;
  return [parts.slice(0, parts.length - max).join(s), ...parts.slice(parts.length - max)];
}

function find(self: string, sub: unknown, start: unknown, end: unknown, fromRight: boolean): number {
  const [a, b] = bounds(self, start, end);
  const window = self.slice(a, b);
  const i = fromRight ? window.lastIndexOf(pyStr(sub)) : window.indexOf(pyStr(sub));
  return i < 0 ? -1 : i + a;
}

function count(self: string, sub: unknown, start: unknown, end: unknown): number {
  const [a, b] = bounds(self, start, end);
  const needle = pyStr(sub);
  const window = self.slice(a, b);
  if (needle === '') return window.length + 1;
  return window.split(needle).length - 1;
}

function title(self: string): string {
  return self.replace(/[A-Za-z\u00C0-\uFFFF]+/g, (word) => word.charAt(0).toUpperCase() + word.slice(1).toLowerCase());
}

function capitalize(self: string): string {
  return self.charAt(0).toUpperCase() + self.slice(1).toLowerCase();
}

function justify(self: string, width: unknown, fill: unknown, where: 'l' | 'r' | 'c'): string {
  const room = Number(width) - self.length;
  if (room <= 0) return self;
  const f = fill === undefined ? ' ' : pyStr(fill);
  if (where === 'l') return self + f.repeat(room);
  if (where === 'r') return f.repeat(room) + self;
  const left = Math.floor(room / 2) + (room % 2 & Number(width) % 2);
  return f.repeat(left) + self + f.repeat(room - left);
}

export const STRING_METHODS: Readonly<Record<string, StrMethod>> = {
  startswith: (s, prefix, start, end) => {
    const [a, b] = bounds(s, start, end);
    return prefixes(prefix).some((p) => s.slice(a, b).startsWith(p));
  },
  endswith: (s, suffix, start, end) => {
    const [a, b] = bounds(s, start, end);
    return prefixes(suffix).some((p) => s.slice(a, b).endsWith(p));
  },
  split: (s, ...args) => split(s, ...(bindArgs(args, ['sep', 'maxsplit']) as [unknown, unknown])),
  rsplit: (s, ...args) => rsplit(s, ...(bindArgs(args, ['sep', 'maxsplit']) as [unknown, unknown])),
  splitlines: (s, keepends) => {
    const lines = s.match(/[^\n\r]*(?:\r\n|\n|\r|$)/g)?.filter((line) => line !== '') ?? [];
    return keepends === true ? lines : lines.map((line) => line.replace(/\r\n|\n|\r$/, ''));
  },
  strip: (s, chars) => rstrip(lstrip(s, chars), chars),
  lstrip: (s, chars) => lstrip(s, chars),
  rstrip: (s, chars) => rstrip(s, chars),
  lower: (s) => s.toLowerCase(),
  upper: (s) => s.toUpperCase(),
  casefold: (s) => s.toLowerCase(),
  swapcase: (s) => [...s].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join(''),
  title: (s) => title(s),
  capitalize: (s) => capitalize(s),
  replace: (s, old, replacement, max) => {
    const parts = s.split(pyStr(old));
    const n = max === undefined || max === null || Number(max) < 0 ? parts.length : Number(max) + 1;
    return parts.slice(0, n).join(pyStr(replacement)) + (n < parts.length ? pyStr(old) + parts.slice(n).join(pyStr(old)) : '');
  },
  format: (s, ...args) => {
    const { positional, kwargs } = splitArgs(args);
    return strFormat(s, positional, kwargs ?? {});
  },
  format_map: (s, mapping) => strFormat(s, [], (mapping ?? {}) as Record<string, unknown>),
  join: (s, items) => pyIter(items).map(pyStr).join(s),
  find: (s, sub, start, end) => find(s, sub, start, end, false),
  rfind: (s, sub, start, end) => find(s, sub, start, end, true),
  index: (s, sub, start, end) => {
    const i = find(s, sub, start, end, false);
    if (i < 0) throw new PythonError('ValueError', 'substring not found');
    return i;
  },
  rindex: (s, sub, start, end) => {
    const i = find(s, sub, start, end, true);
    if (i < 0) throw new PythonError('ValueError', 'substring not found');
    return i;
  },
  count: (s, sub, start, end) => count(s, sub, start, end),
  isdigit: (s) => /^\d+$/.test(s),
  isdecimal: (s) => /^\d+$/.test(s),
  isnumeric: (s) => /^\p{N}+$/u.test(s),
  isalpha: (s) => /^\p{L}+$/u.test(s),
  isalnum: (s) => /^[\p{L}\p{N}]+$/u.test(s),
  isspace: (s) => /^\s+$/.test(s),
  islower: (s) => /\p{Ll}/u.test(s) && s === s.toLowerCase(),
  isupper: (s) => /\p{Lu}/u.test(s) && s === s.toUpperCase(),
  istitle: (s) => /\p{L}/u.test(s) && s === title(s),
  zfill: (s, width) => {
    const sign = s.startsWith('-') || s.startsWith('+') ? s[0] as string : '';
    return sign + s.slice(sign.length).padStart(Number(width) - sign.length, '0');
  },
  ljust: (s, width, fill) => justify(s, width, fill, 'l'),
  rjust: (s, width, fill) => justify(s, width, fill, 'r'),
  center: (s, width, fill) => justify(s, width, fill, 'c'),
  partition: (s, sep) => {
    const i = s.indexOf(pyStr(sep));
    return i < 0 ? [s, '', ''] : [s.slice(0, i), pyStr(sep), s.slice(i + pyStr(sep).length)];
  },
  rpartition: (s, sep) => {
    const i = s.lastIndexOf(pyStr(sep));
    return i < 0 ? ['', '', s] : [s.slice(0, i), pyStr(sep), s.slice(i + pyStr(sep).length)];
  },
  removeprefix: (s, prefix) => (s.startsWith(pyStr(prefix)) ? s.slice(pyStr(prefix).length) : s),
  removesuffix: (s, suffix) => (pyStr(suffix) !== '' && s.endsWith(pyStr(suffix)) ? s.slice(0, -pyStr(suffix).length) : s),
};
