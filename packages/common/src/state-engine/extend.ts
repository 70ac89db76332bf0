/**
 * Salt's `reconcile_extend` and `apply_exclude`, plus the lookups that find a state by ID or by any
 * single-key argument (`find_name`), shared with the `_in` requisite rewriting.
 */
import type { HighData } from './types.js';
import { fnmatch } from '../match/fnmatch.js';
import { STATE_REQUISITE_KEYWORDS } from './keywords.js';
import { firstKey, isRecord, pyStr } from './py.js';

/**
 * IDs (with the state module to use) that `name` refers to: the ID itself, every ID of an SLS when
 * `state` is `sls`, or any ID whose `state` declaration has a single-key argument equal to `name`
 * (Salt matches any argument value here, not only `name:`). `strict` requires the ID to have `state`.
 */
export function findName(name: string, state: string, high: HighData, strict = false): Array<[string, string]> {
  const body = high[name];
  if (body !== undefined && (!strict || (isRecord(body) && state in body))) return [[name, state]];
  const found: Array<[string, string]> = [];
  if (state === 'sls') {
    for (const [id, item] of Object.entries(high)) {
      if (isRecord(item) && item.__sls__ === name) found.push([id, firstKey(item) ?? '']);
    }
    return found;
  }
  for (const [id, item] of Object.entries(high)) {
    const run = isRecord(item) ? item[state] : undefined;
    if (!Array.isArray(run)) continue;
    for (const arg of run) {
      if (isRecord(arg) && Object.keys(arg).length === 1 && Object.values(arg)[0] === name) found.push([id, state]);
    }
  }
  return found;
}

/** `(ID, state)` for every state declaration of an SLS. */
export function findSlsIds(sls: string, high: HighData): Array<[string, string]> {
  const found: Array<[string, string]> = [];
  for (const [id, item] of Object.entries(high)) {
    if (!isRecord(item) || item.__sls__ !== sls) continue;
    for (const state of Object.keys(item)) if (!state.startsWith('__')) found.push([id, state]);
  }
  return found;
}

/** The argument names an ID's state declaration already sets (Salt's `state_args`). */
export function stateArgs(id: string, state: string, high: HighData): Set<string> {
  const run = isRecord(high[id]) ? (high[id] as Record<string, unknown>)[state] : undefined;
  const args = new Set<string>();
  if (!Array.isArray(run)) return args;
  for (const arg of run) if (isRecord(arg) && Object.keys(arg).length === 1) args.add(Object.keys(arg)[0]!);
  return args;
}

/**
 * Applies `__extend__`: a function string replaces the function, a requisite list is appended to the
 * existing one, any other argument replaces the argument of the same name (a `name` also replaces
 * `names`), and anything new is appended.
 */
export function reconcileExtend(high: HighData, strict = false): string[] {
  const errors: string[] = [];
  const ext = high.__extend__;
  if (!('__extend__' in high)) return errors;
  delete high.__extend__;
  for (const extChunk of Array.isArray(ext) ? ext : []) {
    if (!isRecord(extChunk)) continue;
    for (let [name, body] of Object.entries(extChunk)) {
      if (!isRecord(body)) continue;
      const stateType = Object.keys(body).find((key) => !key.startsWith('__')) ?? '';
      const target = high[name];
      if (!isRecord(target) || !(stateType in target)) {
        const ids = findName(name, stateType, high, strict);
        if (ids.length !== 1) {
          const env = pyStr(body.__env__ ?? 'base');
          const sls = pyStr(body.__sls__ ?? 'base');
          errors.push(
            `Cannot extend ID '${name}' in '${env}:${sls}'. It is not part of the high state.\n` +
              'This is likely due to a missing include statement or an incorrectly typed ID.\n' +
              `Ensure that a state with an ID of '${name}' is available\nin environment '${env}' and to SLS '${sls}'`,
          );
          continue;
        }
        name = ids[0]![0];
      }
      const into = high[name];
      if (!isRecord(into)) continue;
      for (const [state, run] of Object.entries(body)) {
        if (state.startsWith('__')) continue;
        const existing = into[state];
        if (!Array.isArray(existing)) {
          into[state] = run;
          continue;
        }
        for (const arg of Array.isArray(run) ? run : []) mergeArg(existing, arg);
      }
    }
  }
  return errors;
}

function mergeArg(existing: unknown[], arg: unknown): void {
  let updated = false;
  for (let i = 0; i < existing.length; i++) {
    const val = existing[i];
    if (typeof arg === 'string' && typeof val === 'string') {
      existing[i] = arg;
      updated = true;
      continue;
    }
    if (!isRecord(arg) || !isRecord(val)) continue;
    const argfirst = firstKey(arg) ?? '';
    if (argfirst === firstKey(val)) {
      const current = val[argfirst];
      if (STATE_REQUISITE_KEYWORDS.has(argfirst) && Array.isArray(current)) {
        current.push(...(Array.isArray(arg[argfirst]) ? (arg[argfirst] as unknown[]) : [arg[argfirst]]));
      } else {
        existing[i] = arg;
      }
      updated = true;
    }
    // Salt replaces `names` with `name` but, not counting it as an update, also appends `name`.
    if (argfirst === 'name' && firstKey(existing[i] as Record<string, unknown>) === 'names') existing[i] = arg;
  }
  if (!updated) existing.push(arg);
}

/** Removes excluded IDs: `- sls: <glob>` (or a bare string) drops a whole SLS, `- id: <id>` one ID. */
export function applyExclude(high: HighData): void {
  if (!('__exclude__' in high)) return;
  const exclude = high.__exclude__;
  delete high.__exclude__;
  const slsGlobs = new Set<string>();
  const ids = new Set<string>();
  for (const exc of Array.isArray(exclude) ? exclude : []) {
    if (typeof exc === 'string') slsGlobs.add(exc);
    if (!isRecord(exc) || Object.keys(exc).length !== 1) continue;
    if ('sls' in exc) slsGlobs.add(pyStr(exc.sls));
    else if ('id' in exc) ids.add(pyStr(exc.id));
  }
  if (slsGlobs.size > 0) {
    for (const [id, body] of Object.entries(high)) {
      if (id.startsWith('__') || !isRecord(body)) continue;
      const sls = typeof body.__sls__ === 'string' ? body.__sls__ : '';
      if (sls && [...slsGlobs].some((glob) => fnmatch(sls, glob))) ids.add(id);
    }
  }
  for (const id of ids) delete high[id];
}
