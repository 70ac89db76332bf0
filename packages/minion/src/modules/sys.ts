import { fnmatch } from '@saltmq/common';
import { fn, type ExecutionFunction, type Module } from '../loader.js';
import { pyStr } from '../process/options.js';

/**
 * What sys.* needs from the function registry. `Registry<ExecutionFunction>` already fits: names()
 * and modules() list it, get(name) returns the function with its doc and parameters.
 */
export interface SysRegistry {
  names(): string[];
  modules(): string[];
  get(name: string): Pick<ExecutionFunction, 'doc' | 'params' | 'varargs' | 'anyKwargs'>;
}

/** The registry itself, or a getter for it: the sys module is built before the registry that holds it. */
export type SysRegistrySource = SysRegistry | (() => SysRegistry);

const hasGlob = (pattern: string) => pattern.includes('*');

// Salt's sysmod selection: a glob matches function names; 'sys' (or 'sys.') means every sys.* function
// and never sysctl.*; a full name matches itself.
function select(names: readonly string[], patterns: readonly unknown[]): string[] {
  if (patterns.length === 0) return [...names];
  const out = new Set<string>();
  for (const raw of patterns) {
    const pattern = pyStr(raw);
    if (hasGlob(pattern)) {
      for (const name of names) if (fnmatch(name, pattern)) out.add(name);
    } else {
      const prefix = pattern.endsWith('.') ? pattern : `${pattern}.`;
      for (const name of names) if (name === pattern || name.startsWith(prefix)) out.add(name);
    }
  }
  return [...out].sort();
}

/** Salt's sys module over a registry: list_functions, list_modules, doc, argspec. */
export function makeSysModule(source: SysRegistrySource): Module<ExecutionFunction> {
  const registry = () => (typeof source === 'function' ? source() : source);
  return {
    name: 'sys',
    functions: {
      doc: fn([], "Return {'mod.fun': docstring} for every function, or for those matching the given modules, names or globs ('test.*').",
        (_ctx, a) => Object.fromEntries(select(registry().names(), a._args).map((n) => [n, registry().get(n).doc])), { varargs: true }),
      list_functions: fn([], "List the functions of the minion, or of the given modules ('test'), names or globs ('test.*', 'sys.list_*').",
        (_ctx, a) => {
          const names = registry().names();
          if (a._args.length === 0) return [...names].sort();
          // Salt: a pattern with '*' or '.' is a glob over function names; a bare word is a module name
          return [...new Set(a._args.flatMap((raw) => {
            const p = pyStr(raw);
            return hasGlob(p) || p.includes('.') ? names.filter((n) => fnmatch(n, p)) : names.filter((n) => n.startsWith(`${p}.`));
          }))].sort();
        }, { varargs: true, anyKwargs: true }),
      list_modules: fn([], "List the modules loaded on the minion, or those matching the given names or globs ('s*').",
        (_ctx, a) => {
          const reg = registry();
          if (a._args.length === 0) return [...reg.modules()].sort();
          const out = new Set<string>();
          for (const raw of a._args) {
            const p = pyStr(raw);
            for (const name of reg.names()) {
              const mod = name.split('.')[0]!;
              if (hasGlob(p) ? fnmatch(name, p) : mod === p) out.add(mod);
            }
          }
          return [...out].sort();
        }, { varargs: true }),
      argspec: fn(['module'], "Return {'mod.fun': {args, defaults, kwargs, varargs}} for a module, function or glob (all when empty).",
        (_ctx, a) => {
          const reg = registry();
          const wanted = a.module === undefined || a.module === null || a.module === '' ? [] : [a.module];
          return Object.fromEntries(select(reg.names(), wanted).map((n) => {
            const f = reg.get(n);
            // defaults are not declared by saltmq functions, so they are reported as unknown (None)
            return [n, { args: f.params.length ? [...f.params] : null, defaults: null, kwargs: f.anyKwargs ? true : null, varargs: f.varargs ? true : null }];
          }));
        }),
      reload_modules: fn([], 'Salt reloads its modules here; saltmq modules are built in, so this only returns True.', () => true),
    } satisfies Record<string, ExecutionFunction>,
  };
}
