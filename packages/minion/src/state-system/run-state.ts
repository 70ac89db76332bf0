import { stat } from 'node:fs/promises';
import { compileHighData, runChunks, stateRetcode, type ChunkReturn, type HighData, type StateFunction } from '@saltmq/common';
import type { CallContext } from '../loader.js';

/** A state run's return in Salt's shape: results keyed by chunk tag, or the list of compile errors. */
export type StateReturn = Record<string, ChunkReturn> | string[];

export interface RunStateOptions {
  test: boolean;
  functions: Record<string, StateFunction>;
  failhard?: boolean;
}

/**
 * Compiles high data and runs it through the state engine: onlyif/unless/check_cmd go through
 * cmd.retcode (a shell, as Salt's state system runs them), and the job's retcode is Salt's: 0 ok,
 * 1 compile error, 2 a failed state.
 */
export async function runHigh(high: HighData, ctx: CallContext, options: RunStateOptions): Promise<StateReturn> {
  const { chunks, errors } = compileHighData(high);
  if (errors.length > 0) {
    ctx.retcode = 1;
    return errors;
  }
  const ret = await runChunks(chunks, {
    test: options.test,
    failhard: options.failhard ?? false,
    lookup: (state, fun) => options.functions[`${state}.${fun}`],
    runCondition: async (command) => Number(await ctx.call('cmd.retcode', [command], { python_shell: true, ignore_retcode: true })),
    callFunction: (fun, args, kwargs) => ctx.call(fun, args, kwargs),
    pathExists: (path) => stat(path).then(() => true, () => false),
  });
  ctx.retcode = stateRetcode(ret, high);
  return ret;
}

/** The compile-error form of a return: Salt's list of strings with retcode 1. */
export function compileErrors(ctx: CallContext, errors: string[]): string[] {
  ctx.retcode = 1;
  return errors;
}
