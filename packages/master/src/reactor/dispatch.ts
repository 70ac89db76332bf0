import { CodedError, InvocationError, STATE_REQUISITE_IN_KEYWORDS, STATE_REQUISITE_KEYWORDS, tags, type Chunk, type Json } from '@saltmq/common';
import type { EventBus } from '../events/event-bus.js';
import type { JobService } from '../jobs/job-service.js';
import type { RunnerService } from '../runners/runner.js';
import { WHEEL_PARAMS, wheelKwargs, type WheelFunction } from '../wheel/key.js';

/** Chunk keys that are never function arguments (Salt's expected_extra_kws plus what the compiler adds). */
const RESERVED = new Set(['state', 'fun', 'name', '__id__', '__sls__', '__env__', 'order', 'key', 'arg', 'kwarg', 'args', 'tgt', 'tgt_type', 'expr_form', 'ret', 'timeout']);

export class ReactionError extends CodedError {
  constructor(message: string) {
    super('ERR_INVOCATION', message);
  }
}

export interface DispatchDeps {
  jobs: JobService;
  runners: RunnerService;
  wheel: Record<string, WheelFunction>;
  events: EventBus;
  /** the master's user: local jobs publish as it, as Salt's LocalClient does */
  user: string;
  warn(message: string, chunk: Chunk): void;
}

/** Salt's repack_dictlist: `[{a: 1}, {b: 2}]` → `{a: 1, b: 2}`; anything else is Salt's "Incorrect argument format". */
function repack(args: unknown): Record<string, unknown> {
  if (!Array.isArray(args)) throw new ReactionError('Incorrect argument format: args must be a list of one-key mappings');
  const out: Record<string, unknown> = {};
  for (const item of args) {
    if (!item || typeof item !== 'object' || Array.isArray(item) || Object.keys(item).length !== 1) {
      throw new ReactionError('Incorrect argument format: each item of args must be a one-key mapping');
    }
    Object.assign(out, item);
  }
  return out;
}

function oldStyle(chunk: Chunk, params: readonly string[]): { arg: unknown[]; kwarg: Record<string, unknown> } {
  const arg = Array.isArray(chunk.arg) ? chunk.arg : chunk.arg === undefined ? [] : [chunk.arg];
  const kwarg: Record<string, unknown> = chunk.kwarg && typeof chunk.kwarg === 'object' && !Array.isArray(chunk.kwarg) ? { ...(chunk.kwarg as object) } : {};
  if (chunk.kwarg !== undefined && (typeof chunk.kwarg !== 'object' || Array.isArray(chunk.kwarg))) throw new ReactionError('Incorrect argument format: kwarg must be a mapping');
  for (const param of params) if (!RESERVED.has(param) && param in chunk && !(param in kwarg)) kwarg[param] = chunk[param];
  return { arg, kwarg };
}

/** Runs one reaction chunk; `key` identifies (event, reaction) so a replay after a crash does not act twice. */
export async function dispatchReaction(chunk: Chunk, key: string, deps: DispatchDeps): Promise<void> {
  const fun = String(chunk.fun);
  const newSyntax = 'args' in chunk;
  // Salt's reactor ignores requisites; say so rather than drop them silently
  const requisites = Object.keys(chunk).filter((key) => STATE_REQUISITE_KEYWORDS.has(key) || STATE_REQUISITE_IN_KEYWORDS.has(key) || key === 'use' || key === 'use_in');
  if (requisites.length) deps.warn(`requisites (${requisites.join(', ')}) are ignored in reactor files, as in Salt: reactions run independently; use an orchestration for ordered steps`, chunk);
  if (newSyntax && ('arg' in chunk || 'kwarg' in chunk)) deps.warn("'arg' and 'kwarg' are ignored when 'args' is given (Salt's new argument syntax)", chunk);
  switch (chunk.state) {
    case 'local': {
      if (deps.jobs.deps.store.jidForReaction(key)) return; // published before a crash: never twice
      const tgt = chunk.tgt;
      if (typeof tgt !== 'string' && !Array.isArray(tgt)) throw new ReactionError(`Reactor '${chunk.__id__}' failed to execute local '${fun}': local takes at least 2 arguments (no tgt)`);
      let tgtType = typeof chunk.tgt_type === 'string' ? chunk.tgt_type : 'glob';
      if (chunk.tgt_type === undefined && typeof chunk.expr_form === 'string') {
        deps.warn(`'expr_form' was renamed 'tgt_type' in Salt 2017.7 and Salt 3006 ignores it (targeting by glob); saltmq honours it: rename it to 'tgt_type'`, chunk);
        tgtType = chunk.expr_form;
      }
      const { arg, kwarg } = newSyntax ? { arg: [] as unknown[], kwarg: repack(chunk.args) } : oldStyle(chunk, []);
      const fullArg = Object.keys(kwarg).length ? [...arg, { __kwarg__: true, ...kwarg }] : arg;
      const request = { tgt: tgt as string | string[], tgt_type: tgtType, fun, arg: fullArg as Json[], user: deps.user, reaction: key };
      await deps.jobs.publish(typeof chunk.timeout === 'number' ? { ...request, job_ttl: Math.max(chunk.timeout, 1) } : request).catch((error: Error) => {
        if ((error as CodedError).code === 'ERR_TARGET') throw new ReactionError(`Reactor '${chunk.__id__}': ${error.message}`);
        throw error;
      });
      return;
    }
    case 'runner': {
      const impl = deps.runners.functions[fun];
      if (!impl) throw new ReactionError(`Reactor '${chunk.__id__}': runner function '${fun}' is not available`);
      const { arg, kwarg } = newSyntax ? { arg: [] as unknown[], kwarg: repack(chunk.args) } : oldStyle(chunk, impl.params);
      const result = await deps.runners.call(fun, arg, kwarg, 'Reactor');
      if (!result.success) throw new ReactionError(String(result.return));
      return;
    }
    case 'wheel': {
      const impl = deps.wheel[fun];
      const params = WHEEL_PARAMS[fun];
      if (!impl || !params) throw new ReactionError(`Reactor '${chunk.__id__}': wheel function '${fun}' is not available`);
      const { arg, kwarg } = newSyntax ? { arg: [] as unknown[], kwarg: repack(chunk.args) } : oldStyle(chunk, params);
      let bound: Record<string, unknown>;
      try {
        bound = wheelKwargs(fun, arg, kwarg);
      } catch (error) {
        throw new ReactionError((error as Error).message);
      }
      await runWheel(fun, impl, bound, deps);
      return;
    }
    case 'caller':
      throw new ReactionError(`Reactor '${chunk.__id__}': caller.${fun} runs on a minion's own reactor; it is not supported on the master`);
    default:
      throw new ReactionError(`ReactWrap is missing a wrapper function for '${String(chunk.state)}'`);
  }
}

/** A wheel call with Salt's salt/wheel/<jid>/new and .../ret events, as user Reactor. */
async function runWheel(fun: string, impl: WheelFunction, kwarg: Record<string, unknown>, deps: DispatchDeps): Promise<void> {
  const jid = deps.jobs.prepJid();
  const base = { fun: `wheel.${fun}`, jid, user: 'Reactor', fun_args: Object.keys(kwarg).length ? [kwarg] : [] };
  await deps.events.fire(tags.wheelNew(jid), base);
  try {
    const value = await impl(kwarg);
    await deps.events.fire(tags.wheelReturn(jid), { ...base, return: (value ?? null) as Json, success: true });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await deps.events.fire(tags.wheelReturn(jid), { ...base, return: `Exception occurred in wheel ${fun}: ${message}`, success: false });
    throw error instanceof InvocationError ? new ReactionError(message) : error;
  }
}
