import { fnmatch, InvocationError, type Json } from '@saltmq/common';
import { fn, type CallContext, type ExecutionFunction, type Grains, type Module } from '../loader.js';
import { pyStr } from '../process/options.js';
import { dictUpdate, isDict, traverse } from '../grains/traverse.js';

const DELIM = ':';

// The setters change the grains of the running minion only (ctx.grains is the shared object):
// unlike Salt they do not write the minion's grains file, so a restart forgets them.
function setvals(ctx: CallContext, values: unknown, destructive: boolean): Record<string, unknown> {
  if (!isDict(values)) throw new InvocationError('setvals grains must be a dictionary.');
  const grains = ctx.grains as Grains;
  for (const [key, value] of Object.entries(values)) {
    if ((value === null || value === undefined) && destructive) delete grains[key];
    else grains[key] = structuredClone(value ?? null) as Json;
  }
  return values;
}

/** Salt's salt.utils.data.filter_by: pick the lookup_dict entry whose key globs the grain's value. */
function filterBy(grains: Grains, a: Record<string, unknown>): unknown {
  const lookup = a.lookup_dict;
  if (!isDict(lookup)) throw new InvocationError('filter_by lookup_dict must be a dictionary.');
  const value = traverse(grains, pyStr(a.grain ?? 'os_family'), []);
  let ret: unknown;
  for (const each of Array.isArray(value) ? value : [value]) {
    const key = Object.keys(lookup).find((k) => fnmatch(pyStr(each), k));
    if (key !== undefined) {
      ret = lookup[key];
      break;
    }
  }
  ret ??= lookup[pyStr(a.default ?? 'default')];
  const base = a.base === undefined || a.base === null ? undefined : pyStr(a.base);
  if (base !== undefined && Object.hasOwn(lookup, base)) {
    const baseValues = lookup[base];
    if (ret === undefined || ret === null) ret = baseValues;
    else if (isDict(baseValues)) {
      if (!isDict(ret)) throw new InvocationError('filter_by default and look-up values must both be dictionaries.');
      ret = dictUpdate(structuredClone(baseValues) as Record<string, Json>, ret);
    }
  }
  if (a.merge !== undefined && a.merge !== null) {
    if (!isDict(a.merge)) throw new InvocationError('filter_by merge argument must be a dictionary.');
    ret = ret === undefined || ret === null ? a.merge : isDict(ret) ? dictUpdate(ret as Record<string, Json>, a.merge) : ret;
  }
  return ret ?? null;
}

const getGrain = (ctx: CallContext, key: unknown, fallback: unknown, delimiter: unknown) =>
  traverse(ctx.grains, pyStr(key), fallback ?? '', pyStr(delimiter ?? DELIM));

export const grains = {
  name: 'grains',
  functions: {
    items: fn(['sanitize'], 'Return all of the minion’s grains.', (ctx) => ctx.grains),
    item: fn([], "Return {key: value} for each grain named, with nested 'a:b:c' keys; kwargs: default, delimiter.", (ctx, a) => {
      const out: Record<string, unknown> = {};
      for (const key of a._args) out[pyStr(key)] = getGrain(ctx, key, a._kwargs.default, a._kwargs.delimiter);
      return out;
    }, { varargs: true, anyKwargs: true }),
    get: fn(['key', 'default', 'delimiter', 'ordered'],
      "Return a grain, walking nested dicts and lists with 'a:b:0' (delimiter ':'); default ('') when it is missing.",
      (ctx, a) => getGrain(ctx, a.key, a.default, a.delimiter), { required: 1 }),
    fetch: fn(['key', 'default', 'delimiter', 'ordered'], 'Alias of grains.get.', (ctx, a) => getGrain(ctx, a.key, a.default, a.delimiter), { required: 1 }),
    ls: fn([], 'Return the sorted names of all grains.', (ctx) => Object.keys(ctx.grains).sort()),
    has_value: fn(['key'], "Return True if the grain (nested 'a:b' allowed) exists, whatever its value.", (ctx, a) => {
      const missing = Symbol('missing');
      return traverse(ctx.grains, pyStr(a.key), missing) !== missing;
    }, { required: 1 }),
    equals: fn(['key', 'value'], 'Return True if the grain equals value.', (ctx, a) => {
      const actual = traverse(ctx.grains, pyStr(a.key), undefined);
      return JSON.stringify(actual) === JSON.stringify(a.value);
    }, { required: 2 }),
    setval: fn(['key', 'val', 'destructive', 'refresh_pillar'],
      'Set a grain in the running minion and return {key: val}. saltmq does not write it to a grains file: it is lost on restart.',
      (ctx, a) => setvals(ctx, { [pyStr(a.key)]: a.val }, a.destructive === true), { required: 2 }),
    setvals: fn(['grains', 'destructive', 'refresh_pillar'], 'Set several grains in the running minion (not persisted); return them.',
      (ctx, a) => setvals(ctx, a.grains, a.destructive === true), { required: 1 }),
    delval: fn(['key', 'destructive', 'refresh_pillar'], 'Set a grain to None (destructive=True removes it) in the running minion.',
      (ctx, a) => setvals(ctx, { [pyStr(a.key)]: null }, a.destructive === true), { required: 1 }),
    delkey: fn(['key', 'force'], 'Remove a grain from the running minion.', (ctx, a) => setvals(ctx, { [pyStr(a.key)]: null }, true), { required: 1 }),
    filter_by: fn(['lookup_dict', 'grain', 'merge', 'default', 'base'],
      "Return the lookup_dict entry whose key matches (glob) the value of a grain (default 'os_family'), else lookup_dict[default].",
      (ctx, a) => filterBy(ctx.grains, a), { required: 1 }),
  } satisfies Record<string, ExecutionFunction>,
} satisfies Module<ExecutionFunction>;
