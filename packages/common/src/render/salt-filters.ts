/**
 * Filters and tests Salt adds to Jinja (salt/utils/jinja.py, salt/utils/data.py, yamlencoding.py) that
 * SLS files in the wild use: serializers that embed values in YAML, Python-regex helpers, `to_bool`,
 * `quote`, and list/set helpers.
 */
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import type { Filter } from './filters.js';
import { groupsOf, pyRegex, pySub } from './python/regex.js';
import { bindArgs, isDict, pyEq, pyIter, pyStr, pyTruthy, PythonError, type Dict } from './python/values.js';
import { activeGuard, parseGuardedYaml, resolvePlaceholders, trustOutput } from './guard.js';
import { dumpYamlFlow, loadYamlText } from './yaml.js';

/** Salt's to_bool: strings 'yes'/'1'/'true' (any case), numbers above 0, non-empty collections. */
export function toBool(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') return ['yes', '1', 'true'].includes(value.toLowerCase());
  if (typeof value === 'number') return value > 0;
  return pyTruthy(value);
}

function regexFlags(args: unknown[]): { ignorecase: boolean; multiline: boolean } {
  const [ignorecase, multiline] = bindArgs(args, ['ignorecase', 'multiline']);
  return { ignorecase: ignorecase === true, multiline: multiline === true };
}

/** re.match (anchored) or re.search, returning `groups()` or None, as Salt's filters do. */
function regexFind(anchored: boolean): Filter {
  return (value, pattern, ...args) => {
    const match = pyRegex(pyStr(pattern), { ...regexFlags(args), anchored }).exec(pyStr(value));
    return match === null ? null : groupsOf(match);
  };
}

/** PyYAML's double-quoted style; JSON's escapes are all valid YAML escapes. */
export function yamlDquote(value: unknown): string {
  return JSON.stringify(pyStr(value));
}

function yamlSquote(value: unknown): string {
  return `'${pyStr(value).replace(/'/g, "''")}'`;
}

/** Salt's yaml_encode: a YAML scalar for any scalar value; strings double-quoted. */
function yamlEncode(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return yamlDquote(value);
  throw new PythonError('TypeError', `yaml_encode() only works with YAML scalar data; failed for ${pyStr(value)}`);
}

/** Python's shlex.quote. */
function shellQuote(value: unknown): string {
  const text = pyStr(value);
  if (text === '') return "''";
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'"'"'`)}'`;
}

/** load_yaml / load_json (and import_yaml): text captured in a guarded render may hold placeholders. */
function loadGuardedText(text: string, kind: 'yaml' | 'json'): unknown {
  const guard = activeGuard();
  if (kind === 'json') {
    const data = JSON.parse(text) as unknown;
    return guard === undefined ? data : resolvePlaceholders(data, guard);
  }
  return guard === undefined ? loadYamlText(text) : parseGuardedYaml(text, '<load_yaml>', guard);
}

function uniqueList(items: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const x of items) if (!out.some((y) => pyEq(x, y))) out.push(x);
  return out;
}

const contains = (items: unknown[], x: unknown) => items.some((y) => pyEq(x, y));

function flatten(items: unknown, levels: number | undefined, preserveNulls: boolean): unknown[] {
  const out: unknown[] = [];
  for (const x of pyIter(items)) {
    if (Array.isArray(x) && (levels === undefined || levels > 0)) out.push(...flatten(x, levels === undefined ? undefined : levels - 1, preserveNulls));
    else if (x !== null || preserveNulls) out.push(x);
  }
  return out;
}

function hash(algorithm: string): Filter {
  return (value) => createHash(algorithm).update(pyStr(value)).digest('hex');
}

export const SALT_FILTERS: Readonly<Record<string, Filter>> = {
  // Flow style is one self-contained YAML value; block style can hold structure, so it stays guarded.
  yaml: (value, flowStyle) => (flowStyle === false ? dumpYamlFlow(value, false) : trustOutput(dumpYamlFlow(value, true))),
  yaml_dquote: (value) => trustOutput(yamlDquote(value)),
  yaml_squote: (value) => trustOutput(yamlSquote(value)),
  yaml_encode: (value) => trustOutput(yamlEncode(value)),
  load_yaml: (value) => loadGuardedText(pyStr(value), 'yaml'),
  load_json: (value) => loadGuardedText(pyStr(value), 'json'),
  // Salt's encode/decode helpers for Python 2 byte strings; on text they hand the data back unchanged.
  json_encode_dict: (value) => value,
  json_encode_list: (value) => value,
  json_decode_dict: (value) => value,
  json_decode_list: (value) => value,
  to_bool: toBool,
  bool: toBool,
  quote: shellQuote,
  regex_match: regexFind(true),
  regex_search: regexFind(false),
  regex_replace: (value, pattern, replacement, ...args) =>
    pySub(pyStr(value), pyRegex(pyStr(pattern), { ...regexFlags(args), global: true }), pyStr(replacement)),
  sequence: (value) => (Array.isArray(value) ? value : [value]),
  is_list: (value) => Array.isArray(value),
  to_num: (value) => (Number.isNaN(Number(value)) || value === '' ? value : Number(value)),
  str_to_num: (value) => (Number.isNaN(Number(value)) || value === '' ? value : Number(value)),
  avg: (value) => {
    const items = pyIter(value).map(Number);
    return items.length === 0 ? 0 : items.reduce((a, b) => a + b, 0) / items.length;
  },
  union: (a, b) => uniqueList([...pyIter(a), ...pyIter(b)]),
  intersect: (a, b) => uniqueList(pyIter(a).filter((x) => contains(pyIter(b), x))),
  difference: (a, b) => uniqueList(pyIter(a).filter((x) => !contains(pyIter(b), x))),
  symmetric_difference: (a, b) =>
    uniqueList([...pyIter(a).filter((x) => !contains(pyIter(b), x)), ...pyIter(b).filter((x) => !contains(pyIter(a), x))]),
  compare_lists: (oldList, newList) => {
    const [olds, news] = [pyIter(oldList), pyIter(newList)];
    const ret: Dict = {};
    const added = news.filter((x) => !contains(olds, x));
    const removed = olds.filter((x) => !contains(news, x));
    if (added.length > 0) ret.new = added;
    if (removed.length > 0) ret.old = removed;
    return ret;
  },
  compare_dicts: (oldDict, newDict) => {
    const [olds, news] = [isDict(oldDict) ? oldDict : {}, isDict(newDict) ? newDict : {}];
    const ret: Dict = {};
    for (const key of new Set([...Object.keys(olds), ...Object.keys(news)])) {
      if (!pyEq(olds[key], news[key])) ret[key] = { old: olds[key] ?? '', new: news[key] ?? '' };
    }
    return ret;
  },
  flatten: (value, ...args) => {
    const [levels, preserveNulls] = bindArgs(args, ['levels', 'preserve_nulls']);
    return flatten(value, typeof levels === 'number' ? levels : undefined, preserveNulls === true);
  },
  base64_encode: (value) => Buffer.from(pyStr(value), 'utf8').toString('base64'),
  base64_decode: (value) => Buffer.from(pyStr(value), 'base64').toString('utf8'),
  md5: hash('md5'),
  sha1: hash('sha1'),
  sha256: hash('sha256'),
  sha512: hash('sha512'),
  is_ip: (value) => isIP(pyStr(value)) !== 0,
  is_ipv4: (value) => isIP(pyStr(value)) === 4,
  is_ipv6: (value) => isIP(pyStr(value)) === 6,
  is_hex: (value) => /^(?:0x)?[0-9a-f]+$/i.test(pyStr(value)),
  contains_whitespace: (value) => /\s/.test(pyStr(value)),
  json_query: () => {
    throw new PythonError('FilterError', 'json_query (JMESPath) is not supported by saltmq');
  },
  sorted_ignorecase: (value) => [...pyIter(value)].sort((a, b) => pyStr(a).toLowerCase().localeCompare(pyStr(b).toLowerCase())),
  dict_to_sls_yaml_params: (value) =>
    dumpYamlFlow(Object.entries(isDict(value) ? value : {}).map(([k, v]) => ({ [k]: v })), false),
};

/** Tests: Salt's `match` and `equalto`, plus Jinja's that nunjucks lacks or gets wrong for Python values. */
export const SALT_TESTS: Readonly<Record<string, (value: unknown, ...args: unknown[]) => boolean>> = {
  match: (value, pattern, ...args) => pyRegex(pyStr(pattern), { ...regexFlags(args), anchored: true }).test(pyStr(value)),
  search: (value, pattern, ...args) => pyRegex(pyStr(pattern), regexFlags(args)).test(pyStr(value)),
  equalto: (a, b) => pyEq(a, b),
  eq: (a, b) => pyEq(a, b),
  '==': (a, b) => pyEq(a, b),
  ne: (a, b) => !pyEq(a, b),
  '!=': (a, b) => !pyEq(a, b),
  sameas: (a, b) => a === b,
  none: (value) => value === null,
  boolean: (value) => typeof value === 'boolean',
  true: (value) => value === true,
  false: (value) => value === false,
  integer: (value) => typeof value === 'number' && Number.isInteger(value),
  float: (value) => typeof value === 'number' && !Number.isInteger(value),
  mapping: (value) => isDict(value) || value instanceof Map,
  sequence: (value) => typeof value === 'string' || Array.isArray(value) || isDict(value),
  iterable: (value) =>
    typeof value === 'string' || isDict(value) || (value !== null && typeof value === 'object' && Symbol.iterator in value),
  truthy: (value) => pyTruthy(value),
  falsy: (value) => !pyTruthy(value),
  list: (value) => Array.isArray(value),
  in: (value, seq) => (typeof seq === 'string' ? typeof value === 'string' && seq.includes(value) : contains(pyIter(seq), value)),
};
