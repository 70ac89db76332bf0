/**
 * The exit code of a state run (salt/modules/state.py `_set_retcode` with
 * salt/utils/state.py `check_result`).
 */
import type { ChunkReturn, HighData } from './types.js';
import { isRecord } from './py.js';

/** Salt's EX_STATE_COMPILER_ERROR and EX_STATE_FAILURE. */
export const STATE_RETCODES = { ok: 0, compileError: 1, failure: 2 } as const;

/**
 * 1 when compiling failed (the return is Salt's list of errors), 2 when any state has result False,
 * else 0. Like Salt, an empty result counts as a failure (saltstack/salt#39172), and a failure whose
 * `onfail` handlers (with `onfail_stop: False`) all succeeded does not count when `high` is given.
 */
export function stateRetcode(ret: Record<string, ChunkReturn> | readonly string[], high?: HighData): 0 | 1 | 2 {
  if (Array.isArray(ret)) return STATE_RETCODES.compileError;
  return checkResult(ret as Record<string, unknown>, high) ? STATE_RETCODES.ok : STATE_RETCODES.failure;
}

function checkResult(running: Record<string, unknown>, high: HighData | undefined, recurse = false): boolean {
  const entries = Object.entries(running);
  if (entries.length === 0) return false;
  let ok = true;
  for (const [tag, value] of entries) {
    if (!recurse && !isRecord(value) && !(tag === '__extend__' && Array.isArray(value))) ok = false;
    if (ok && isRecord(value)) {
      if (value.result === false) ok = false;
      else if (!('result' in value)) ok = checkResult(value, high, true);
    }
    if (!ok) ok = onfailHandled(tag, running, high) === true;
    if (!ok) break;
  }
  return ok;
}

/**
 * Salt's `check_onfail_requisites`: true if the failed state has onfail handlers that opted out of
 * stopping (`onfail_stop: False`) and none of them failed; undefined if it has no such handlers.
 */
function onfailHandled(tag: string, running: Record<string, unknown>, high: HighData | undefined): boolean | undefined {
  if (!high) return undefined;
  const [state, id] = tag.includes('_|-') ? tag.split('_|-') : [undefined, tag];
  const handlers: Array<[string, string]> = [];
  for (const [hid, body] of Object.entries(high)) {
    if (hid === id || !isRecord(body)) continue;
    for (const [mod, run] of Object.entries(body)) {
      if (mod.startsWith('__') || !Array.isArray(run)) continue;
      if (!run.some((arg) => isRecord(arg) && arg.onfail_stop === false)) continue;
      for (const arg of run) {
        if (!isRecord(arg) || !Array.isArray(arg.onfail)) continue;
        for (const req of arg.onfail) {
          if (!isRecord(req)) continue;
          for (const [rmod, rid] of Object.entries(req)) if (rid === id && rmod === (state ?? rmod)) handlers.push([hid, mod]);
        }
      }
    }
  }
  if (handlers.length === 0) return undefined;
  let verdict: boolean | undefined;
  for (const [hid, mod] of handlers) {
    for (const [rtag, ret] of Object.entries(running)) {
      const [rstate, rid] = rtag.includes('_|-') ? rtag.split('_|-') : [mod, isRecord(ret) ? ret.__id__ : rtag];
      if (rstate !== mod || rid !== hid || !isRecord(ret)) continue;
      if (ret.result === true || ret.result === false) verdict = ret.result;
      if (ret.result === false) break;
    }
    verdict ??= false;
  }
  return verdict;
}
