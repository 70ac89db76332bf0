import { listArg, messageOf, testStates, type Json, type StateFunction, type StateResult } from '@saltmq/common';
import type { JobService } from '../jobs/job-service.js';
import type { RunnerService } from '../runners/runner.js';
import type { WheelFunction } from '../wheel/key.js';
import { failMinions, failuresBlock, stateRunChanged, tallyMinions } from './minion-tally.js';

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
  const tgtType = typeof args.tgt_type === 'string' ? args.tgt_type : typeof args.expr_form === 'string' ? args.expr_form : 'glob';
  const timeout = typeof args.timeout === 'number' ? args.timeout : deps.timeout;
  return deps.jobs.runAndCollect({ tgt: tgt as string | string[], tgt_type: tgtType, fun, arg, user: deps.user }, timeout * 1000);
}

/** Salt's allow_fail: how many minions (outside fail_minions) may fail before the step does. */
function allowFail(raw: unknown): number | undefined {
  if (raw === undefined || raw === null) return 0;
  const n = Number(raw);
  return Number.isInteger(n) ? n : undefined;
}

const list = (ids: Iterable<string>) => [...ids].join(', ');

/**
 * Salt's orchestrate states (salt/states/saltmod.py): steps that run jobs on minions (salt.state,
 * salt.function), runners (salt.runner) and wheel functions (salt.wheel) from the master, ordered
 * and chained by the same requisites as a minion's states. A targeted minion that does not return in
 * time counts as failed ('Minion did not respond'), as in Salt.
 */
export function makeOrchStates(deps: OrchDeps): Record<string, StateFunction> {
  const state: StateFunction = async (name, args, ctx) => {
    const highstate = args.highstate === true;
    const sls = listArg(args.sls);
    const allowed = allowFail(args.allow_fail);
    if (allowed === undefined) return result(name, false, {}, "Passed invalid value for 'allow_fail', must be an int");
    if (!highstate && sls.length === 0) return result(name, false, {}, 'No highstate or sls specified, no execution made');
    const kwarg: Record<string, Json> = { __kwarg__: true };
    for (const key of ['saltenv', 'pillar', 'pillarenv'] as const) if (args[key] !== undefined) kwarg[key] = args[key] as Json;
    // Salt runs the states in test mode on the minions, so a dry orchestration shows what would change
    if (ctx.test || args.test === true) kwarg.test = true;
    try {
      const { returns, targeted } = await runJob(deps, args, highstate ? 'state.highstate' : 'state.sls', highstate ? [kwarg] : [sls.join(','), kwarg]);
      if (targeted.length === 0) return result(name, false, {}, 'No minions matched the target. No command was sent, no jid was assigned.');
      const tally = tallyMinions(targeted, returns, failMinions(args.fail_minions), stateRunChanged);
      const changes = Object.keys(tally.changes).length ? { out: 'highstate', ret: tally.changes } : {};
      let ok: boolean | null = tally.blamed.length <= allowed;
      let comment = ok
        ? 'States ran successfully.' + (Object.keys(tally.changes).length ? ` Updating ${list(Object.keys(tally.changes))}.` : '') + (tally.noChange.length ? ` No changes made to ${list(tally.noChange)}.` : '')
        : `Run failed on minions: ${list(tally.blamed)}`;
      comment += failuresBlock(tally.failures);
      if (kwarg.test === true && ok && Object.keys(changes).length) ok = null; // test mode with changes
      return result(name, ok, changes, comment);
    } catch (error) {
      return result(name, false, {}, messageOf(error));
    }
  };
  const fn: StateFunction = async (name, args, ctx) => {
    const arg = (Array.isArray(args.arg) ? args.arg : typeof args.arg === 'string' ? args.arg.split(/\s+/).filter(Boolean) : args.arg === undefined ? [] : [args.arg]) as Json[];
    const kwarg = args.kwarg && typeof args.kwarg === 'object' && !Array.isArray(args.kwarg) ? [{ __kwarg__: true, ...(args.kwarg as Record<string, Json>) }] : [];
    const allowed = allowFail(args.allow_fail);
    if (allowed === undefined) return result(name, false, {}, "Passed invalid value for 'allow_fail', must be an int");
    if (ctx.test) return result(name, null, {}, `Function ${name} will be executed on target ${typeof args.tgt === 'string' ? args.tgt : JSON.stringify(args.tgt)} as test=False`);
    try {
      const { returns, targeted } = await runJob(deps, args, name, [...arg, ...kwarg]);
      if (targeted.length === 0 && returns.size === 0) return result(name, false, {}, 'No minions responded');
      const tally = tallyMinions(targeted, returns, failMinions(args.fail_minions), () => true);
      const ran = Object.keys(tally.changes);
      const changes = ran.length ? { out: 'highstate', ret: tally.changes } : {};
      const ok = tally.blamed.length <= allowed;
      let comment = ok ? 'Function ran successfully.' : `Running function ${name} failed on minions: ${list(tally.blamed)}`;
      if (ran.length) comment += ` Function ${name} ran on ${list(ran)}.`;
      comment += failuresBlock(tally.failures);
      return result(name, ok, changes, comment);
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
