import { CodedError, InvocationError, UnknownFunctionError, type Json, type Logger } from '@saltmq/common';

export type Grains = Record<string, Json>;

/** Everything an execution function may use; passed explicitly, never injected as globals. */
export interface CallContext {
  readonly id: string;
  readonly grains: Grains;
  readonly opts: Readonly<Record<string, unknown>>;
  readonly log: Logger;
  /** the job this call serves (Salt's __pub_jid), undefined for nested calls outside a job */
  readonly jid: string | undefined;
  /** true when a published job called the function directly (Salt runs cmd.run through a shell then) */
  readonly fromJob: boolean;
  /** aborted by saltutil.kill_job or a shutdown */
  readonly signal: AbortSignal;
  /** Salt's __context__['retcode']: the job's retcode when the function sets it */
  retcode: number | undefined;
  /** Salt's __salt__['mod.fun'](...): calls another execution function */
  call(fun: string, args?: unknown[], kwargs?: Record<string, unknown>): Promise<unknown>;
  /** sends an event to the master's bus under the minion's own id */
  fireEvent(tag: string, data: unknown): Promise<void>;
  /** asks the master (file server, pillar) */
  request(method: string, params: Record<string, unknown>): Promise<unknown>;
}

/** Arguments bound to a function's parameter names, Python style. */
export type BoundArgs = Record<string, unknown> & { readonly _args: unknown[]; readonly _kwargs: Record<string, unknown> };

/** An execution function with its Python-like signature, so positional args and kwargs bind by name. */
export interface ExecutionFunction {
  /** parameter names in order, as Salt's function declares them */
  readonly params: readonly string[];
  /** how many leading params are required. @default 0 */
  readonly required?: number;
  /** accepts extra positional args (*args) */
  readonly varargs?: boolean;
  /** accepts extra keyword args (**kwargs) */
  readonly anyKwargs?: boolean;
  /** shown by sys.doc */
  readonly doc: string;
  /** Salt's __outputter__: the outputter the CLI uses for this function's returns (state.* → highstate) */
  readonly outputter?: string;
  run(ctx: CallContext, args: BoundArgs): unknown;
}

export interface Module<F> {
  readonly name: string;
  /** Salt's __virtual__: true, or why the module cannot load here */
  available?(grains: Grains): true | string;
  readonly functions: Readonly<Record<string, F>>;
}

/**
 * Salt's loader in miniature: functions keyed by 'module.function'. Duplicates throw; a lookup miss
 * says why when the module was unavailable on this machine.
 */
export class Registry<F> {
  readonly #functions = new Map<string, F>();
  readonly #unavailable = new Map<string, string>();

  constructor(modules: readonly Module<F>[], grains: Grains) {
    for (const mod of modules) {
      const verdict = mod.available?.(grains) ?? true;
      if (verdict !== true) {
        this.#unavailable.set(mod.name, verdict);
        continue;
      }
      for (const [fn, impl] of Object.entries(mod.functions)) {
        const key = `${mod.name}.${fn}`;
        if (this.#functions.has(key)) throw new CodedError('ERR_DUPLICATE_FUNCTION', `${key} is registered twice`);
        this.#functions.set(key, impl);
      }
    }
  }

  get(key: string): F {
    const impl = this.#functions.get(key);
    if (impl === undefined) {
      const reason = this.#unavailable.get(key.split('.')[0] ?? '');
      throw new UnknownFunctionError(key, reason ? `Possible reasons: '${reason}'` : undefined);
    }
    return impl;
  }

  has(key: string): boolean {
    return this.#functions.has(key);
  }

  names(): string[] {
    return [...this.#functions.keys()].sort();
  }

  /** What sys.doc shows for a function. */
  docOf(key: string): string | undefined {
    const impl = this.#functions.get(key) as { doc?: unknown } | undefined;
    return typeof impl?.doc === 'string' ? impl.doc : undefined;
  }

  modules(): string[] {
    return [...new Set(this.names().map((n) => n.split('.')[0]!))].sort();
  }
}

/** Binds positional args and kwargs to a function's parameters, as Python calls do. */
export function bindArgs(fun: string, impl: ExecutionFunction, args: unknown[], kwargs: Record<string, unknown>): BoundArgs {
  const bound: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  const extraArgs: unknown[] = [];
  args.forEach((value, index) => {
    const name = impl.params[index];
    if (name !== undefined) bound[name] = value;
    else if (impl.varargs) extraArgs.push(value);
    else throw new InvocationError(`Passed invalid arguments to ${fun}: it takes at most ${impl.params.length} positional arguments but ${args.length} were given`);
  });
  const extraKwargs: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(kwargs)) {
    if (key.startsWith('__pub_')) continue;
    if (impl.params.includes(key)) {
      if (key in bound) throw new InvocationError(`Passed invalid arguments to ${fun}: got multiple values for argument '${key}'`);
      bound[key] = value;
    } else {
      extraKwargs[key] = value;
    }
  }
  const missing = impl.params.slice(0, impl.required ?? 0).filter((name) => !(name in bound));
  if (missing.length > 0) {
    throw new InvocationError(`Passed invalid arguments to ${fun}: missing required argument${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')}`);
  }
  return Object.assign(bound, { _args: extraArgs, _kwargs: extraKwargs }) as BoundArgs;
}

/** Shorthand for declaring a function: `fn(['cmd', 'cwd'], 'Run a command', (ctx, a) => ...)`. */
export function fn(
  params: readonly string[],
  doc: string,
  run: (ctx: CallContext, args: BoundArgs) => unknown,
  extra: Partial<Pick<ExecutionFunction, 'required' | 'varargs' | 'anyKwargs' | 'outputter'>> = {},
): ExecutionFunction {
  return { params, doc, run, ...extra };
}
