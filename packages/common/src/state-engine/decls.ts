/**
 * The per-SLS steps of Salt's `render_state` (BaseHighState._handle_*): lift `extend:` and `exclude:`
 * into the global `__extend__`/`__exclude__` lists, normalise state declarations, stamp `__sls__` and
 * `__env__`, number IDs for `state_auto_order`, and merge included files.
 */
import type { HighData } from './types.js';
import { deepEqual, isRecord, pyStr } from './py.js';

/** `extend:` leaves the SLS and waits in `__extend__` until every file is rendered. */
export function handleExtend(state: HighData, sls: string, saltenv: string, errors: string[]): void {
  if (!('extend' in state)) return;
  const ext = state.extend;
  delete state.extend;
  if (!isRecord(ext)) {
    errors.push(`Extension value in SLS '${sls}' is not a dictionary`);
    return;
  }
  for (const [name, body] of Object.entries(ext)) {
    if (!isRecord(body)) {
      errors.push(`Extension name '${name}' in SLS '${sls}' is not a dictionary`);
      continue;
    }
    body.__sls__ ??= sls;
    body.__env__ ??= saltenv;
    for (const key of Object.keys(body)) {
      const run = body[key];
      if (key.startsWith('_') || !Array.isArray(run) || !key.includes('.')) continue;
      // Salt keeps only the second dotted component here (`file.managed` → file: [..., managed]).
      const [mod = '', fun = ''] = key.split('.');
      delete body[key];
      run.push(fun);
      body[mod] = run;
    }
  }
  listAt(state, '__extend__').push(ext);
}

/** `exclude:` entries are applied after every file is merged, so they can drop included IDs. */
export function handleExclude(state: HighData, sls: string, errors: string[]): void {
  if (!('exclude' in state)) return;
  const exc = state.exclude;
  delete state.exclude;
  if (!Array.isArray(exc)) {
    errors.push(`Exclude Declaration in SLS ${sls} is not formed as a list`);
    return;
  }
  listAt(state, '__exclude__').push(...exc);
}

/**
 * Pads the short forms (`id: file.managed`, `file.managed: [...]`) into `file: [..., managed]` and
 * stamps `__sls__`/`__env__` on every ID.
 */
export function handleStateDecls(state: HighData, sls: string, saltenv: string, errors: string[]): void {
  for (const [name, body] of Object.entries(state)) {
    if (!isRecord(body)) {
      if (name === '__extend__' || name === '__exclude__') continue;
      if (typeof body === 'string' && body.includes('.')) {
        const [mod = '', fun = ''] = body.split('.');
        state[name] = { __sls__: sls, __env__: saltenv, [mod]: [fun] };
        continue;
      }
      errors.push(`ID ${name} in SLS ${sls} is not a dictionary`);
      continue;
    }
    const seen = new Set<string>();
    for (const key of Object.keys(body)) {
      const run = body[key];
      if (key.startsWith('_') || !Array.isArray(run)) continue;
      if (key.includes('.')) {
        const [mod = '', fun = ''] = key.split('.');
        if (seen.has(mod)) {
          errors.push(`ID '${name}' in SLS '${sls}' contains multiple state declarations of the same type`);
          continue;
        }
        delete body[key];
        run.push(fun);
        body[mod] = run;
        seen.add(mod);
        continue;
      }
      seen.add(key);
    }
    body.__sls__ ??= sls;
    body.__env__ ??= saltenv;
  }
}

/**
 * Salt's `_handle_iorder`: every state declaration without an `order` arg gets the next number from
 * 10000 up, in the order the IDs were rendered. Included files render first, so they get the lower
 * numbers and run first.
 */
export function handleIorder(state: HighData, counter: { next: number }): void {
  for (const body of Object.values(state)) {
    if (!isRecord(body)) continue;
    for (const [key, run] of Object.entries(body)) {
      if (key.startsWith('_') || !Array.isArray(run)) continue;
      const ordered = run.some((arg) => isRecord(arg) && Object.keys(arg)[0] === 'order');
      if (!ordered) run.push({ order: counter.next++ });
    }
  }
}

/**
 * Merges one rendered SLS (with its includes) into the high data. IDs must be globally unique; the
 * same ID with an identical body is not a conflict (Salt compares with `!=`).
 */
export function mergeIncludedStates(high: HighData, state: HighData, errors: string[]): void {
  for (const key of ['__extend__', '__exclude__'] as const) {
    const items = state[key];
    if (!Array.isArray(items)) continue;
    listAt(high, key).push(...items);
    delete state[key];
  }
  for (const [id, body] of Object.entries(state)) {
    const existing = high[id];
    if (existing === undefined || deepEqual(existing, body)) continue;
    const where = (b: unknown) => (isRecord(b) ? `${pyStr(b.__env__)}:${pyStr(b.__sls__)}` : '?');
    errors.push(
      'Detected conflicting IDs, SLS IDs need to be globally unique.\n    ' +
        `The conflicting ID is '${id}' and is found in SLS '${where(existing)}' and SLS '${where(body)}'`,
    );
  }
  Object.assign(high, state);
}

/** Salt's `clean_duplicate_extends`: the same extension reached through two includes counts once. */
export function cleanDuplicateExtends(high: HighData): void {
  const ext = high.__extend__;
  if (!Array.isArray(ext)) return;
  const unique: Array<[string, unknown]> = [];
  for (const item of ext) {
    if (!isRecord(item)) continue;
    for (const entry of Object.entries(item)) {
      if (!unique.some(([id, body]) => id === entry[0] && deepEqual(body, entry[1]))) unique.push(entry);
    }
  }
  high.__extend__ = unique.map(([id, body]) => ({ [id]: body }));
}

function listAt(target: HighData, key: string): unknown[] {
  const existing = target[key];
  if (Array.isArray(existing)) return existing;
  const list: unknown[] = [];
  target[key] = list;
  return list;
}
