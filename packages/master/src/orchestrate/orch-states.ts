import { listArg, messageOf, testStates, type Json, type StateFunction, type StateResult } from '@saltmq/common';
import type { JobService } from '../jobs/job-service.js';
import type { RunnerService } from '../runners/runner.js';
import type { WheelFunction } from '../wheel/key.js';

export interface OrchDeps {
  jobs: JobService;
  runners: RunnerService;
  wheel: Record<string, WheelFunction>;
  user: string;
  /** seconds a salt.state or salt.function step waits for its minions */
  timeout: number;
}

function result(name: string, ok: boolean | null, changes: Record<string, unknown>, comment: string): StateResult {
  return { name, result: ok, changes, comment };
}

/** Runs a job on its targets and waits for their returns; the shape salt.state and salt.function share. */
async function runJob(deps: OrchDeps, args: Record<string, unknown>, fun: string, arg: Json[]) {
  const tgt = args.tgt;
  if (typeof tgt !== 'string' && !Array.isArray(tgt)) throw new Error("a 'tgt' is required");
  const tgtType = typeof args.tgt_type === 'string' ? args.tgt_type : 'glob';
  const timeout = typeof args.timeout === 'number' ? args.timeout : deps.timeout;
  const returns = await deps.jobs.runAndWait({ tgt: tgt as string | string[], tgt_type: tgtType, fun, arg, user: deps.user }, timeout * 1000);
  return returns;
}

/**
 * The minions whose failure fails the step: Salt's `fail_minions` (a list or comma-separated ids) are
 * tolerated, and the step fails only when more than `allow_fail` of the others failed.
 */
function toleratedNote(ids: string[]): string {
  return ids.length ? ` Failures allowed on: ${ids.join(', ')}.` : '';
}

function counted(failed: string[], args: Record<string, unknown>): { fail: boolean; tolerated: string[] } {
  const raw = args.fail_minions;
  const tolerate = new Set((typeof raw === 'string' ? raw.split(',') : Array.isArray(raw) ? raw.map(String) : []).map((id) => id.trim()));
  const blamed = failed.filter((id) => !tolerate.has(id));
  const allow = Number(args.allow_fail ?? 0);
  const fail = blamed.length > (Number.isFinite(allow) ? allow : 0);
  return { fail, tolerated: fail ? [] : failed };
}

/**
 * Salt's orchestrate states (salt/states/saltmod.py): steps that run jobs on minions (salt.state,
 * salt.function), runners (salt.runner) and wheel functions (salt.wheel) from the master, ordered
 * and chained by the same state engine and requisites as a minion's states.
 */
export function makeOrchStates(deps: OrchDeps): Record<string, StateFunction> {
  const state: StateFunction = async (name, args, ctx) => {
    const highstate = args.highstate === true;
    const sls = listArg(args.sls);
    if (!highstate && sls.length === 0) return result(name, false, {}, 'No highstate or sls specified, no execution made');
    if (ctx.test) return result(name, null, {}, `State run to be executed on ${JSON.stringify(args.tgt)}: ${highstate ? 'highstate' : sls.join(',')}`);
    const kwarg: Record<string, Json> = { __kwarg__: true };
    for (const key of ['saltenv', 'pillar', 'test', 'pillarenv'] as const) if (args[key] !== undefined) kwarg[key] = args[key] as Json;
    try {
      const returns = await runJob(deps, args, highstate ? 'state.highstate' : 'state.sls', highstate ? [kwarg] : [sls.join(','), kwarg]);
      const failed = [...returns].filter(([, r]) => r.retcode !== 0).map(([id]) => id).sort();
      const changes = { ret: Object.fromEntries([...returns].map(([id, r]) => [id, r.return])) };
      if (returns.size === 0) return result(name, false, {}, 'No minions responded');
      const { fail, tolerated } = counted(failed, args);
      if (fail) return result(name, false, changes, `Run failed on minions: ${failed.join(', ')}`);
      return result(name, true, changes, `States ran successfully. Updating ${[...returns.keys()].sort().join(', ')}.${toleratedNote(tolerated)}`);
    } catch (error) {
      return result(name, false, {}, messageOf(error));
    }
  };
  const fn: StateFunction = async (name, args, ctx) => {
    const arg = (Array.isArray(args.arg) ? args.arg : args.arg === undefined ? [] : [args.arg]) as Json[];
    const kwarg = args.kwarg && typeof args.kwarg === 'object' && !Array.isArray(args.kwarg) ? [{ __kwarg__: true, ...(args.kwarg as Record<string, Json>) }] : [];
    if (ctx.test) return result(name, null, {}, `Function ${name} would be executed on target ${JSON.stringify(args.tgt)}`);
    try {
      const returns = await runJob(deps, args, name, [...arg, ...kwarg]);
      const failed = [...returns].filter(([, r]) => r.retcode !== 0).map(([id]) => id).sort();
      const changes = { ret: Object.fromEntries([...returns].map(([id, r]) => [id, r.return])) };
      if (returns.size === 0) return result(name, false, {}, 'No minions responded');
      const { fail, tolerated } = counted(failed, args);
      if (fail) return result(name, false, changes, `Running function ${name} failed on minions: ${failed.join(', ')}`);
      return result(name, true, changes, `Function ran successfully. Function ${name} ran on ${[...returns.keys()].sort().join(', ')}.${toleratedNote(tolerated)}`);
    } catch (error) {
      return result(name, false, {}, messageOf(error));
    }
  };
  const runner: StateFunction = async (name, args, ctx) => {
    if (ctx.test) return result(name, null, {}, `Runner function '${name}' would be executed.`);
    const { arg, ...kwargs } = args;
    try {
      const ran = await deps.runners.call(name, Array.isArray(arg) ? arg : [], kwargs, deps.user);
      return result(name, ran.success, { return: ran.return }, ran.success ? `Runner function '${name}' executed.` : `Runner function '${name}' failed.`);
    } catch (error) {
      return result(name, false, {}, messageOf(error));
    }
  };
  const wheel: StateFunction = async (name, args, ctx) => {
    if (ctx.test) return result(name, null, {}, `Wheel function '${name}' would be executed.`);
    const impl = deps.wheel[name];
    if (!impl) return result(name, false, {}, `'wheel.${name}' is not available.`);
    try {
      const value = await impl(args);
      return result(name, true, { return: value }, `Wheel function '${name}' executed.`);
    } catch (error) {
      return result(name, false, {}, `Wheel function '${name}' failed: ${messageOf(error)}`);
    }
  };
  const functions: Record<string, StateFunction> = { 'salt.state': state, 'salt.function': fn, 'salt.runner': runner, 'salt.wheel': wheel };
  for (const [key, impl] of Object.entries(testStates)) functions[`test.${key}`] = impl;
  return functions;
}
