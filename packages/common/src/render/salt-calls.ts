/**
 * `salt['cmd.run']('hostname')` from inside a synchronous nunjucks render, when the function is async.
 *
 * Suspend and replay: a call whose result is a Promise stops the pass (SuspendRender); the renderer
 * awaits the Promise, records the outcome, undoes list/dict changes the pass made, and renders again.
 * On the next pass the same call, reached in the same order, returns the recorded value, so every call
 * runs once per render however many passes it takes. Calls are matched by function name, the JSON of
 * their arguments, and how many identical calls came before in the pass, so two `cmd.run('date')` in one
 * template still run twice, as in Salt.
 */
import { CUSTOM_LOOKUP, type CustomLookup } from './runtime.js';
import { isDict, isThenable, splitArgs } from './python/values.js';

/** Salt's loader dict: `'module.function'` → function. Keyword arguments arrive as one trailing plain object. */
export type SaltFunctionTable = Readonly<Record<string, (...args: never[]) => unknown>>;

const KEYWORDS = Symbol('saltmq.render.keywords');

/** Tags the trailing object of keyword arguments (invisible to JSON and to functions that ignore it). */
function markKeywords(kwargs: Record<string, unknown>): Record<string, unknown> {
  Object.defineProperty(kwargs, KEYWORDS, { value: true, enumerable: false });
  return kwargs;
}

/**
 * A `salt` function's arguments split into positional and keyword ones. Only the object the template
 * wrote as `name=value` arguments is keywords; a dict passed positionally (`pillar.get('x', {})`) is not.
 */
export function templateArgs(args: readonly unknown[]): { positional: unknown[]; kwargs: Record<string, unknown> } {
  const last = args.at(-1);
  if (last !== null && typeof last === 'object' && KEYWORDS in last) return { positional: args.slice(0, -1), kwargs: last as Record<string, unknown> };
  return { positional: [...args], kwargs: {} };
}

/** Thrown through nunjucks to stop a pass; never reaches the caller. */
export class SuspendRender extends Error {
  constructor(readonly fun: string) {
    super(`waiting for ${fun}`);
    this.name = 'SuspendRender';
  }
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

const MODULES = new WeakMap<object, ReadonlySet<string>>();

function modulesOf(table: SaltFunctionTable): ReadonlySet<string> {
  let mods = MODULES.get(table);
  if (mods === undefined) {
    mods = new Set(Object.keys(table).map((key) => key.slice(0, key.indexOf('.'))).filter((mod) => mod !== ''));
    MODULES.set(table, mods);
  }
  return mods;
}

function argsKey(args: readonly unknown[]): string {
  try {
    return JSON.stringify(args) ?? '';
  } catch {
    return `#unserializable/${args.length}`;
  }
}

/** One render's memory of salt calls, kept across its passes. */
export class CallRecorder {
  readonly #table: SaltFunctionTable;
  readonly #outcomes = new Map<string, Outcome[]>();
  readonly #seen = new Map<string, number>();
  #pending: Promise<void> | undefined;

  constructor(table: SaltFunctionTable) {
    this.#table = table;
  }

  /** The `salt` object the template sees during one pass. */
  startPass(): SaltView {
    this.#seen.clear();
    this.#pending = undefined;
    return new SaltView(this, this.#table);
  }

  /** The Promise that stopped the pass, if one did; it settles after recording the outcome. */
  takePending(): Promise<void> | undefined {
    const pending = this.#pending;
    this.#pending = undefined;
    return pending;
  }

  call(fun: string, rawArgs: readonly unknown[]): unknown {
    const { positional, kwargs } = splitArgs(rawArgs);
    const args = kwargs === undefined ? positional : [...positional, markKeywords(kwargs)];
    const key = `${fun}\u0000${argsKey(args)}`;
    const nth = this.#seen.get(key) ?? 0;
    this.#seen.set(key, nth + 1);
    let outcomes = this.#outcomes.get(key);
    if (outcomes === undefined) this.#outcomes.set(key, (outcomes = []));
    const known = outcomes[nth];
    if (known !== undefined) {
      if (known.ok) return known.value;
      throw known.error;
    }
    const record = outcomes;
    let result: unknown;
    try {
      result = (this.#table[fun] as (...a: unknown[]) => unknown)(...args);
    } catch (error) {
      record[nth] = { ok: false, error };
      throw error;
    }
    if (!isThenable(result)) {
      record[nth] = { ok: true, value: result };
      return result;
    }
    this.#pending = Promise.resolve(result).then(
      (value) => void (record[nth] = { ok: true, value }),
      (error: unknown) => void (record[nth] = { ok: false, error }),
    );
    throw new SuspendRender(fun);
  }
}

/** `salt['mod.fun']`, `salt.mod.fun` and `salt['mod.fun'](...)` resolve through here. */
class SaltView implements CustomLookup {
  constructor(
    private readonly recorder: CallRecorder,
    private readonly table: SaltFunctionTable,
  ) {}

  [CUSTOM_LOOKUP](key: string): unknown {
    if (key.includes('.')) {
      if (!Object.prototype.hasOwnProperty.call(this.table, key) || typeof this.table[key] !== 'function') return undefined;
      return (...args: unknown[]) => this.recorder.call(key, args);
    }
    return modulesOf(this.table).has(key) ? new SaltModuleView(this, key) : undefined;
  }

  describeMissing(key: string): string {
    return key.includes('.') ? `salt has no function '${key}'` : `salt has no module '${key}'`;
  }

  toString(): string {
    return '<salt functions>';
  }
}

/** `salt.cmd` in `salt.cmd.run('x')`. */
class SaltModuleView implements CustomLookup {
  constructor(
    private readonly salt: SaltView,
    private readonly mod: string,
  ) {}

  [CUSTOM_LOOKUP](fun: string): unknown {
    return this.salt[CUSTOM_LOOKUP](`${this.mod}.${fun}`);
  }

  describeMissing(fun: string): string {
    return `salt has no function '${this.mod}.${fun}'`;
  }

  toString(): string {
    return `<salt module ${this.mod}>`;
  }
}

/** A context's `salt` entry, if it is a function table we should wrap. */
export function saltTableOf(value: unknown): SaltFunctionTable | undefined {
  return isDict(value) ? (value as SaltFunctionTable) : undefined;
}
