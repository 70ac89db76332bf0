/**
 * Python's view of JavaScript values, as Jinja templates expect it: `str()` and `repr()`, truthiness,
 * `==`, and the type names that appear in Jinja's error messages. Kept free of nunjucks so the string,
 * list and dict methods and the filters can share it.
 */

/** nunjucks marks the trailing keyword-arguments object of a call with this own property. */
const KEYWORDS = '__keywords';

export type Dict = Record<string, unknown>;

/** A dict in the Python sense: a plain object (YAML, JSON and dict literals all produce these). */
export function isDict(value: unknown): value is Dict {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return (proto === Object.prototype || proto === null) && !Object.prototype.hasOwnProperty.call(value, KEYWORDS);
}

export function isKeywordArgs(value: unknown): value is Dict {
  return value !== null && typeof value === 'object' && Object.prototype.hasOwnProperty.call(value, KEYWORDS);
}

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function';
}

// Keys that lead from a value to JavaScript's machinery (and from there to `Function`) rather than to data.
export const BLOCKED_KEYS: ReadonlySet<string> = new Set(['constructor', '__proto__', 'prototype', '__defineGetter__', '__defineSetter__', '__lookupGetter__']);

/** `value[key]` for filters and format fields: a dict's own items, a list's indexes, never JavaScript internals. */
export function itemOf(value: unknown, key: string | number): unknown {
  if (value === null || value === undefined || (typeof key === 'string' && BLOCKED_KEYS.has(key))) return undefined;
  if (Array.isArray(value)) return typeof key === 'number' || /^\d+$/.test(key) ? value[Number(key)] : undefined;
  if (isDict(value)) return Object.prototype.hasOwnProperty.call(value, key) ? value[key] : undefined;
  return (value as Record<string | number, unknown>)[key];
}

/** Splits nunjucks call arguments into positional ones and the keyword arguments (without the marker). */
export function splitArgs(args: readonly unknown[]): { positional: unknown[]; kwargs: Dict | undefined } {
  const last = args[args.length - 1];
  if (!isKeywordArgs(last)) return { positional: [...args], kwargs: undefined };
  const kwargs: Dict = {};
  for (const [key, value] of Object.entries(last)) if (key !== KEYWORDS) kwargs[key] = value;
  return { positional: args.slice(0, -1), kwargs };
}

/** Lays positional and keyword arguments out in the order of `names`, as Python binds a signature. */
export function bindArgs(args: readonly unknown[], names: readonly string[]): unknown[] {
  const { positional, kwargs } = splitArgs(args);
  if (kwargs === undefined) return positional;
  const bound = [...positional];
  names.forEach((name, i) => {
    if (i >= positional.length && Object.prototype.hasOwnProperty.call(kwargs, name)) bound[i] = kwargs[name];
  });
  return bound;
}

/** Python's `str()`; an undefined value prints as '' (Jinja's Undefined), None as 'None'. */
export function pyStr(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  if (value === null) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return pyNumber(value);
  if (Array.isArray(value) || isDict(value)) return pyRepr(value);
  // Printing a method or function shows what it is, as Python does, not JavaScript source.
  if (typeof value === 'function') return `<function ${value.name || 'anonymous'}>`;
  return String(value);
}

/** Python's `repr()`: what `{{ some_list }}` prints, which YAML then reads back as a flow collection. */
export function pyRepr(value: unknown, seen: Set<unknown> = new Set()): string {
  if (typeof value === 'string') return reprString(value);
  if (value === undefined) return '';
  if (Array.isArray(value) || isDict(value)) {
    if (seen.has(value)) return Array.isArray(value) ? '[...]' : '{...}';
    seen.add(value);
    const text = Array.isArray(value)
      ? `[${value.map((item) => pyRepr(item, seen)).join(', ')}]`
      : `{${Object.entries(value).map(([k, v]) => `${reprString(k)}: ${pyRepr(v, seen)}`).join(', ')}}`;
    seen.delete(value);
    return text;
  }
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) return String(value);
  return pyStr(value);
}

function pyNumber(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  return String(n);
}

/** Python quotes with ' unless the text holds a ' and no ". */
function reprString(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === quote || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += '\\x' + code.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out + quote;
}

/** Python truthiness: empty lists, dicts and strings are false; so are 0, None and Undefined. */
export function pyTruthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (isDict(value)) {
    for (const _ in value) return true;
    return false;
  }
  if (value instanceof Map || value instanceof Set) return value.size > 0;
  return Boolean(value);
}

/** Python `==`: deep for lists and dicts, True == 1, and None is not Undefined. */
export function pyEq(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  const ta = typeof a;
  const tb = typeof b;
  if ((ta === 'number' || ta === 'boolean') && (tb === 'number' || tb === 'boolean')) return Number(a) === Number(b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => pyEq(item, b[i]));
  if (isDict(a) && isDict(b)) {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((k) => Object.prototype.hasOwnProperty.call(b, k) && pyEq(a[k], b[k]));
  }
  if (typeof a === 'object' && typeof b === 'object' && String(a) === String(b) && a.constructor === b.constructor) {
    return a.valueOf() === b.valueOf(); // SafeString and friends compare by content
  }
  return false;
}

/** The type name Jinja puts in "'dict object' has no attribute 'x'". */
export function pyTypeName(value: unknown): string {
  if (value === null) return 'None';
  if (value === undefined) return 'Undefined';
  if (typeof value === 'string') return 'str object';
  if (typeof value === 'boolean') return 'bool object';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int object' : 'float object';
  if (Array.isArray(value)) return 'list object';
  if (isDict(value)) return 'dict object';
  if (typeof value === 'function') return 'function object';
  return `${(value as object).constructor?.name ?? 'object'} object`;
}

/** Python's `len()`, which the `length`/`count` filters share. */
export function pyLen(value: unknown): number {
  if (typeof value === 'string' || Array.isArray(value)) return value.length;
  if (value instanceof Map || value instanceof Set) return value.size;
  if (isDict(value)) return Object.keys(value).length;
  if (value !== null && typeof value === 'object' && typeof (value as { length?: unknown }).length === 'number') {
    return (value as { length: number }).length;
  }
  return 0;
}

/** What `for x in value` walks: a dict's keys, a string's characters, a list's items. */
export function pyIter(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return [...value];
  if (isDict(value)) return Object.keys(value);
  if (value instanceof Map) return [...value.keys()];
  if (typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function') return [...(value as Iterable<unknown>)];
  return [];
}

/** Python's ordering for sort, min and max: numbers with numbers, strings with strings, lists item by item. */
export function pyCompare(a: unknown, b: unknown): number {
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const c = pyCompare(a[i], b[i]);
      if (c !== 0) return c;
    }
    return a.length - b.length;
  }
  const x = typeof a === 'boolean' ? Number(a) : a;
  const y = typeof b === 'boolean' ? Number(b) : b;
  if (typeof x === 'number' && typeof y === 'number') return x - y;
  const sx = pyStr(x);
  const sy = pyStr(y);
  return sx < sy ? -1 : sx > sy ? 1 : 0;
}

/** A Python exception raised by a method or filter (ValueError, KeyError, TypeError...); the kind leads the message. */
export class PythonError extends Error {
  constructor(readonly kind: string, message: string) {
    super(`${kind}: ${message}`);
    this.name = kind;
  }
}
