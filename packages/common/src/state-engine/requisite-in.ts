/**
 * Salt's `State.requisite_in`: rewrites `require_in`, `watch_in`, `onfail_in`, `onchanges_in` and
 * `prereq_in` into requisites on their targets, adds `prerequired` for `prereq`, and copies arguments
 * for `use`/`use_in`. The rewrites go through `reconcile_extend` in strict mode, so a target that does
 * not exist is Salt's "Cannot extend ID" error.
 */
import type { HighData } from './types.js';
import { findName, findSlsIds, reconcileExtend, stateArgs } from './extend.js';
import { isRecord, pyStr } from './py.js';

const REQ_IN = new Set(['require_in', 'watch_in', 'onfail_in', 'onchanges_in', 'use', 'use_in', 'prereq', 'prereq_in']);
const REQ_IN_ALL = new Set([...REQ_IN, 'require', 'watch', 'onfail', 'onfail_stop', 'onchanges']);

type Extend = Map<string, Record<string, unknown[]> & { __env__?: unknown; __sls__?: unknown }>;

export function requisiteIn(high: HighData): string[] {
  const extend: Extend = new Map();
  const errors: string[] = [];
  const at = (id: string, state: string): unknown[] => {
    let body = extend.get(id);
    if (!body) extend.set(id, (body = {}));
    return (body[state] ??= []);
  };
  // Adds `{state: id}` to the target's `rkey` list, creating the list on first use.
  const addReq = (target: string, targetState: string, rkey: string, state: string, id: string, src: Record<string, unknown>) => {
    const list = at(target, targetState);
    const body = extend.get(target)!;
    body.__env__ = src.__env__;
    body.__sls__ = src.__sls__;
    const entry = list.find((item) => isRecord(item) && Object.keys(item)[0] === rkey) as Record<string, unknown[]> | undefined;
    if (entry) entry[rkey]!.push({ [state]: id });
    else list.push({ [rkey]: [{ [state]: id }] });
  };
  const dotted = (rkey: string, state: string, name: unknown, sls: unknown) =>
    `Invalid requisite in ${rkey}: ${state} for ${pyStr(name)}, in SLS '${pyStr(sls)}'. Requisites must not ` +
    `contain dots, did you mean '${state.slice(0, state.indexOf('.'))}'?`;

  for (const [id, body] of Object.entries(high)) {
    if (!isRecord(body)) continue;
    for (const [state, run] of Object.entries(body)) {
      if (state.startsWith('__') || !Array.isArray(run)) continue;
      for (const arg of run) {
        if (!isRecord(arg)) continue;
        const key = Object.keys(arg)[0];
        if (key === undefined || !REQ_IN.has(key)) continue;
        const rkey = key.split('_')[0]!;
        const items = arg[key];
        if (isRecord(items)) {
          // `require_in: {file: /etc/x}`: one target in dict form.
          for (let [targetState, name] of Object.entries(items)) {
            if (targetState.includes('.')) {
              errors.push(dotted(rkey, targetState, name, body.__sls__));
              targetState = targetState.split('.')[0]!;
            }
            addReq(pyStr(name), targetState, rkey, state, id, body);
          }
        }
        if (!Array.isArray(items)) continue;
        for (const item of items) {
          const ref = resolveBareRef(item, high);
          if (!ref) continue;
          let [pstate, pname] = ref;
          if (pstate.includes('.')) {
            errors.push(dotted(rkey, pstate, pname, body.__sls__));
            pstate = pstate.split('.')[0]!;
          }
          const hinges: Array<[string, string]> = pstate === 'sls' ? findSlsIds(pname, high) : [[pname, pstate]];
          for (const [name, targetState] of hinges) {
            if (key === 'prereq_in') at(id, state).push({ prerequired: [{ [targetState]: name }] });
            if (key === 'prereq') {
              for (const [extId, reqState] of findName(name, targetState, high, true)) {
                at(extId, reqState).push({ prerequired: [{ [state]: id }] });
              }
              continue;
            }
            if (key === 'use_in' || key === 'use') {
              for (const [extId, reqState] of findName(name, targetState, high, true)) {
                // use_in: our args go to the target; use: the target's args come to us.
                const [to, toState, from, fromState] =
                  key === 'use_in' ? [extId, reqState, id, state] : [id, state, extId, reqState];
                const ignore = new Set([...REQ_IN_ALL, ...stateArgs(to, key === 'use_in' ? targetState : toState, high)]);
                const source = (high[from] as Record<string, unknown>)[fromState];
                const list = at(to, toState);
                for (const a of Array.isArray(source) ? source : []) {
                  if (!isRecord(a) || Object.keys(a).length !== 1) continue;
                  const k = Object.keys(a)[0]!;
                  if (!ignore.has(k) && k !== 'name' && k !== 'names') list.push(a);
                }
              }
              continue;
            }
            addReq(name, targetState, rkey, state, id, body);
          }
        }
      }
    }
  }
  high.__extend__ = [...extend].map(([id, body]) => ({ [id]: body }));
  errors.push(...reconcileExtend(high, true));
  return errors;
}

/** A list item is `{state: name}`, or a bare string naming an ID or some state's `name:`. */
function resolveBareRef(item: unknown, high: HighData): [string, string] | undefined {
  if (isRecord(item)) {
    const entry = Object.entries(item)[0];
    return entry ? [entry[0], pyStr(entry[1])] : undefined;
  }
  const ref = pyStr(item);
  const body = high[ref];
  if (isRecord(body)) {
    const state = Object.keys(body).find((key) => !key.startsWith('__'));
    return state === undefined ? undefined : [state, ref];
  }
  let found: [string, string] | undefined;
  for (const [id, candidate] of Object.entries(high)) {
    if (!isRecord(candidate)) continue;
    for (const [state, run] of Object.entries(candidate)) {
      if (state.startsWith('__') || !Array.isArray(run)) continue;
      if (run.some((a) => isRecord(a) && 'name' in a && a.name === ref)) found = [state, id];
    }
  }
  return found;
}
