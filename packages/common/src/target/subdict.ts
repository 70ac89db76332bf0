/**
 * Salt's `subdict_match` and `traverse_dict_and_list` (salt/utils/data.py), which every grain and
 * pillar target goes through. `roles:web` matches `roles == 'web'` and also a `roles` list holding
 * 'web'; `ip_interfaces:eth0:10.*` looks up `ip_interfaces.eth0`. Deeper keys are tried first, and
 * the delimiter may appear in the value (`foo:bar:baz` also matches `foo == 'bar:baz'`). Values are
 * compared as Python would print them (`True`, `None`), and case-insensitively, as Salt lowercases both.
 */
import { fnmatch } from '../match/fnmatch.js';
import { pyMatch } from './py-regex.js';

export type MatchMode = 'glob' | 'regex' | 'exact';

const MISSING = Symbol('missing');

export function subdictMatch(data: unknown, expr: string, delimiter: string, mode: MatchMode): boolean {
  const splits = expr.split(delimiter);
  if (splits.length === 1) return false; // without a delimiter there is no key to look up
  for (let idx = splits.length - 1; idx > 0; idx--) {
    const key = splits.slice(0, idx).join(delimiter);
    // A key of '*' means "anywhere under the top level": the whole expression is matched against the data.
    const matchstr = key === '*' ? expr : splits.slice(idx).join(delimiter);
    const found = key === '*' ? data : traverse(data, key, delimiter);
    // Salt skips `{}`: its "not found" default, and a genuinely empty dict alike.
    if (found === MISSING || (isDict(found) && Object.keys(found).length === 0)) continue;
    if (isDict(found)) {
      if (dictMatch(found, matchstr, mode)) return true;
    } else if (Array.isArray(found)) {
      for (const member of found) {
        if (isDict(member) && dictMatch(member, matchstr, mode)) return true;
        if (valueMatch(member, matchstr, mode)) return true;
      }
    } else if (valueMatch(found, matchstr, mode)) {
      return true;
    }
  }
  return false;
}

/** `traverse_dict_and_list`: dict keys, list indexes (negative too), or a key inside a list's dicts. */
export function traverse(data: unknown, key: string, delimiter: string): unknown {
  let ptr = data;
  for (const each of key.split(delimiter)) {
    if (Array.isArray(ptr)) {
      const index = pyInt(each);
      if (index === undefined) {
        const holder = ptr.find((x) => isDict(x) && Object.hasOwn(x, each)) as Record<string, unknown> | undefined;
        if (holder === undefined) return MISSING;
        ptr = holder[each];
      } else {
        const at = index < 0 ? ptr.length + index : index;
        if (at < 0 || at >= ptr.length) return MISSING;
        ptr = ptr[at];
      }
    } else if (isDict(ptr) && Object.hasOwn(ptr, each)) {
      ptr = ptr[each];
    } else {
      return MISSING;
    }
  }
  return ptr;
}

function dictMatch(target: Record<string, unknown>, pattern: string, mode: MatchMode): boolean {
  const wildcard = pattern.startsWith('*:');
  if (wildcard) pattern = pattern.slice(2);
  if (pattern === '*') return true; // only checking that the key exists
  if (Object.hasOwn(target, pattern)) return true; // `G@roles:web` where roles is a dict keyed by role
  // Salt recurses with its default delimiter here, whatever delimiter the target used.
  if (subdictMatch(target, pattern, ':', mode)) return true;
  if (!wildcard) return false;
  for (const value of Object.values(target)) {
    if (isDict(value)) {
      if (dictMatch(value, pattern, mode)) return true;
    } else if (Array.isArray(value)) {
      if (value.some((item) => valueMatch(item, pattern, mode))) return true;
    } else if (valueMatch(value, pattern, mode)) {
      return true;
    }
  }
  return false;
}

function valueMatch(value: unknown, pattern: string, mode: MatchMode): boolean {
  const target = pyStr(value).toLowerCase();
  // Salt lowercases the pattern too; for a regex the `i` flag does the same without turning `\S` into `\s`.
  if (mode === 'regex') return pyMatch(pattern, target, true);
  return mode === 'exact' ? target === pattern.toLowerCase() : fnmatch(target, pattern.toLowerCase());
}

/** Python's `str()` of JSON-like data: `True`, `None`, `['a', 1]`, `{'k': 'v'}`. */
export function pyStr(value: unknown): string {
  return typeof value === 'string' ? value : pyRepr(value);
}

function pyRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'nan';
    if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
    return Number.isInteger(value) ? BigInt(value).toString() : String(value);
  }
  if (typeof value === 'string') {
    const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
    const body = value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
    return quote + (quote === "'" ? body.replace(/'/g, "\\'") : body) + quote;
  }
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  if (isDict(value)) return `{${Object.entries(value).map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`).join(', ')}}`;
  return String(value);
}

/** Python's `int(text)` for list indexes: optional sign, digits, surrounding whitespace. */
function pyInt(text: string): number | undefined {
  return /^\s*[-+]?[0-9]+\s*$/.test(text) ? Number(text.trim()) : undefined;
}

export function isDict(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
