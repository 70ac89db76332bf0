/**
 * Jinja's built-in filters where nunjucks lacks them or differs: Python `str()` in `string` and `join`,
 * `list` of a dict is its keys, `map`/`select`/`selectattr` take Jinja's test names and arguments,
 * keyword arguments (`map(attribute='name')`, `default(x, true)`) bind as Jinja binds them.
 * nunjucks' own versions of the rest (`dictsort`, `batch`, `indent`, `round`, `reverse`, ...) stay.
 */
import { pyJsonDumps } from '../py-json.js';
import { trustOutput } from './guard.js';
import { STRING_METHODS } from './python/strings.js';
import { percentFormat } from './python/format.js';
import { bindArgs, isDict, itemOf, pyCompare, pyEq, pyIter, pyLen, pyRepr, pyStr, pyTruthy, splitArgs, PythonError } from './python/values.js';

/** What nunjucks binds `this` to in a filter or test. */
export interface FilterThis {
  env: {
    getFilter(name: string): (this: FilterThis, ...args: unknown[]) => unknown;
    getTest(name: string): (this: FilterThis, ...args: unknown[]) => unknown;
  };
}
export type Filter = (this: FilterThis, value: unknown, ...args: unknown[]) => unknown;

/** Jinja's `attribute='a.b.0'` paths. */
export function attribute(value: unknown, path: unknown): unknown {
  let current = value;
  for (const part of String(path).split('.')) current = itemOf(current, part);
  return current;
}

function str(method: string, self: unknown, ...args: unknown[]): unknown {
  return (STRING_METHODS[method] as (s: string, ...a: unknown[]) => unknown)(pyStr(self), ...args);
}

/** `select`/`reject`/`selectattr`/`rejectattr`: keep items whose test result is `keep`. */
function chooser(keep: boolean, byAttribute: boolean): Filter {
  return function (this: FilterThis, value, ...rawArgs) {
    const { positional: args } = splitArgs(rawArgs);
    const attr = byAttribute ? args.shift() : undefined;
    const testName = args.shift();
    const test = testName === undefined ? undefined : this.env.getTest(String(testName));
    return pyIter(value).filter((item) => {
      const subject = byAttribute ? attribute(item, attr) : item;
      const verdict = test === undefined ? pyTruthy(subject) : test.call(this, subject, ...args) === true;
      return verdict === keep;
    });
  };
}

function ordered(value: unknown, args: unknown[], names: string[]): { items: unknown[]; key: (x: unknown) => unknown; reverse: boolean } {
  const bound = bindArgs(args, names);
  const byName = (name: string) => bound[names.indexOf(name)];
  const attr = byName('attribute');
  const caseSensitive = byName('case_sensitive') === true;
  const key = (x: unknown) => {
    const v = attr === undefined || attr === null ? x : attribute(x, attr);
    return !caseSensitive && typeof v === 'string' ? v.toLowerCase() : v;
  };
  return { items: [...pyIter(value)], key, reverse: byName('reverse') === true };
}

function extreme(sign: 1 | -1): Filter {
  return (value, ...args) => {
    const { items, key } = ordered(value, args, ['case_sensitive', 'attribute']);
    if (items.length === 0) return undefined;
    return items.reduce((best, x) => (sign * pyCompare(key(x), key(best)) > 0 ? x : best));
  };
}

export const JINJA_FILTERS: Readonly<Record<string, Filter>> = {
  string: (value) => pyStr(value),
  pprint: (value) => pyRepr(value),
  join: (value, ...args) => {
    const [sep = '', attr] = bindArgs(args, ['d', 'attribute']);
    return pyIter(value).map((x) => pyStr(attr === undefined || attr === null ? x : attribute(x, attr))).join(pyStr(sep));
  },
  list: (value) => [...pyIter(value)],
  length: (value) => pyLen(value),
  count: (value) => pyLen(value),
  first: (value) => pyIter(value)[0],
  last: (value) => pyIter(value).at(-1),
  items: (value) => (isDict(value) ? Object.entries(value) : value instanceof Map ? [...value.entries()] : []),
  default: (value, ...args) => {
    const [dflt = '', boolean] = bindArgs(args, ['default_value', 'boolean']);
    return value === undefined || (boolean === true && !pyTruthy(value)) ? dflt : value;
  },
  unique: (value, ...args) => {
    const { items, key } = ordered(value, args, ['case_sensitive', 'attribute']);
    const seen: unknown[] = [];
    return items.filter((x) => (seen.some((s) => pyEq(s, key(x))) ? false : (seen.push(key(x)), true)));
  },
  sort: (value, ...args) => {
    const { items, key, reverse } = ordered(value, args, ['reverse', 'case_sensitive', 'attribute']);
    items.sort((a, b) => pyCompare(key(a), key(b)));
    return reverse ? items.reverse() : items;
  },
  min: extreme(-1),
  max: extreme(1),
  sum: (value, ...args) => {
    const [attr, start = 0] = bindArgs(args, ['attribute', 'start']);
    const items = pyIter(value).map((x) => (attr === undefined || attr === null ? x : attribute(x, attr)));
    return items.reduce((total: number, x) => total + Number(x), Number(start));
  },
  map: function (this: FilterThis, value, ...args) {
    const { positional, kwargs } = splitArgs(args);
    if (kwargs !== undefined && 'attribute' in kwargs) {
      return pyIter(value).map((x) => attribute(x, kwargs.attribute) ?? kwargs.default);
    }
    const [name, ...rest] = positional;
    if (name === undefined) throw new PythonError('FilterArgumentError', 'map requires a filter name or attribute=');
    const filter = this.env.getFilter(String(name));
    const extra = kwargs === undefined ? rest : [...rest, { ...kwargs, __keywords: true }];
    return pyIter(value).map((x) => filter.call(this, x, ...extra));
  },
  select: chooser(true, false),
  reject: chooser(false, false),
  selectattr: chooser(true, true),
  rejectattr: chooser(false, true),
  attr: (value, name) => itemOf(value, String(name)),
  int: (value, ...args) => {
    const [dflt = 0, base = 10] = bindArgs(args, ['default', 'base']);
    if (typeof value === 'boolean') return Number(value);
    const n = typeof value === 'number' ? Math.trunc(value) : parseInt(pyStr(value).trim().replace(/^0[xob]/i, ''), Number(base));
    return Number.isNaN(n) ? (Number.isNaN(Number(pyStr(value))) ? dflt : Math.trunc(Number(pyStr(value)))) : n;
  },
  float: (value, ...args) => {
    const [dflt = 0.0] = bindArgs(args, ['default']);
    const n = typeof value === 'boolean' ? Number(value) : Number.parseFloat(pyStr(value));
    return Number.isNaN(n) ? dflt : n;
  },
  lower: (value) => pyStr(value).toLowerCase(),
  upper: (value) => pyStr(value).toUpperCase(),
  capitalize: (value) => str('capitalize', value),
  title: (value) => str('title', value),
  trim: (value, chars) => str('strip', value, chars),
  replace: (value, old, replacement, count) => str('replace', value, old, replacement, count),
  format: (value, ...args) => {
    const { positional, kwargs } = splitArgs(args);
    return percentFormat(pyStr(value), kwargs !== undefined && positional.length === 0 ? kwargs : positional);
  },
  wordcount: (value) => (str('split', value) as string[]).length,
  json: (value, ...args) => {
    const [sortKeys = true, indent] = bindArgs(args, ['sort_keys', 'indent']);
    return trustOutput(pyJsonDumps(value, { sortKeys: sortKeys === true, indent: typeof indent === 'number' ? indent : undefined }));
  },
  // Jinja's tojson: sorted keys and HTML-safe escapes, still valid JSON and valid YAML flow.
  tojson: (value, ...args) => {
    const [indent] = bindArgs(args, ['indent']);
    return trustOutput(
      pyJsonDumps(value, { sortKeys: true, indent: typeof indent === 'number' ? indent : undefined })
        .replace(/</g, '\\u003c')
        .replace(/>/g, '\\u003e')
        .replace(/&/g, '\\u0026')
        .replace(/'/g, '\\u0027'),
    );
  },
};
