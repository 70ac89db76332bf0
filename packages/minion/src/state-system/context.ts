import type { CallContext, ExecutionFunction, Registry } from '../loader.js';

/**
 * Salt's template `salt` for minion-side SLS files: every execution function by 'mod.fun', called
 * through the job's context (`{{ salt['cmd.run']('hostname') }}`). Keyword arguments arrive from the
 * renderer as one trailing plain object.
 */
export function saltFunctionTable(registry: Registry<ExecutionFunction>, ctx: CallContext): Record<string, (...args: unknown[]) => Promise<unknown>> {
  const table: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const name of registry.names()) {
    table[name] = (...args: unknown[]) => {
      const last = args.at(-1);
      const hasKwargs = last !== null && typeof last === 'object' && !Array.isArray(last) && Object.getPrototypeOf(last) === Object.prototype;
      return ctx.call(name, hasKwargs ? args.slice(0, -1) : args, hasKwargs ? (last as Record<string, unknown>) : {});
    };
  }
  return table;
}
