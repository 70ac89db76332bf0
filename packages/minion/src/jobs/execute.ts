import { CodedError, InvocationError, UnknownFunctionError, splitArgs, type Json } from '@saltmq/common';
import { bindArgs, type CallContext, type ExecutionFunction, type Registry } from '../loader.js';

/** A function's outcome in Salt's return shape. */
export interface Outcome {
  return: Json;
  retcode: number;
  success: boolean;
  out?: string;
  /** the function refused or failed with a message of its own (salt-call prints it on stderr) */
  error?: string;
}

/** Makes a value JSON-safe for the wire: undefined becomes null, Buffers text, cycles an error. */
export function toJson(value: unknown): Json {
  if (value === undefined) return null;
  return JSON.parse(JSON.stringify(value, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('utf8') : typeof v === 'bigint' ? v.toString() : v)) ?? 'null') as Json;
}

/**
 * Runs one execution function the way Salt's minion does (_thread_return): kwargs marked
 * `__kwarg__` bind by name, the retcode comes from the function's context or from a falsy
 * `result`/`success` in a dict return, and any failure becomes a clean failed return — never a dead
 * minion.
 */
export async function execute(registry: Registry<ExecutionFunction>, fun: string, arg: unknown[], ctx: CallContext): Promise<Outcome> {
  let impl: ExecutionFunction;
  try {
    impl = registry.get(fun);
  } catch (error) {
    const message = error instanceof UnknownFunctionError ? error.message : `'${fun}' is not available.`;
    return { return: message, retcode: 1, success: false, out: 'nested' };
  }
  try {
    const { args, kwargs } = splitArgs(arg);
    const value = await impl.run(ctx, bindArgs(fun, impl, args, kwargs));
    const json = toJson(value);
    let retcode = ctx.retcode ?? 0;
    if (ctx.retcode === undefined && json && typeof json === 'object' && !Array.isArray(json)) {
      const dict = json as Record<string, Json>;
      if (('result' in dict && !dict.result) || ('success' in dict && !dict.success)) retcode = 1;
    }
    const outcome: Outcome = { return: json, retcode, success: retcode === 0 };
    if (impl.outputter) outcome.out = impl.outputter;
    return outcome;
  } catch (error) {
    let message: string;
    if (error instanceof InvocationError) message = `ERROR executing '${fun}': ${error.message}`;
    else if (error instanceof CodedError) message = `ERROR: ${error.message}`;
    else message = `The minion function caused an exception: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
    const outcome: Outcome = { return: message, retcode: ctx.retcode && ctx.retcode !== 0 ? ctx.retcode : 1, success: false, out: 'nested' };
    if (error instanceof CodedError) outcome.error = error.message;
    return outcome;
  }
}
