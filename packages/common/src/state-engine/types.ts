/**
 * Shapes shared by the state compiler and runner, named as Salt names them (salt/state.py).
 *
 * Ordering caveat: Salt's `state_auto_order` numbers IDs in the order YAML wrote them, and we rely on
 * JavaScript keeping insertion order for object keys. That holds for every key except integer-like
 * ones ('80', '0'), which JavaScript always lists first in ascending order. An SLS whose IDs are bare
 * numbers therefore runs those IDs first; quote-free numeric IDs are rare, and an explicit `order:`
 * fixes it.
 */

/**
 * Salt's high data: ID → body, where a body maps state modules to argument lists
 * (`{file: ['managed', {name: '/etc/motd'}], __sls__: 'motd', __env__: 'base'}`), plus the pending
 * `__extend__` and `__exclude__` lists. Values come from YAML, so they are narrowed where read.
 */
export type HighData = Record<string, unknown>;

/** One low chunk: a single state function call, as Salt's `compile_high_data` produces it. */
export interface Chunk {
  state: string;
  fun: string;
  name: string;
  __id__: string;
  __sls__: string;
  /** Absent only in reactor chunks, which Salt compiles without a saltenv. */
  __env__?: string;
  order: number;
  [arg: string]: unknown;
}

/** What compiling returns: chunks in run order, or Salt's error strings (then no chunks). */
export interface CompileResult {
  chunks: Chunk[];
  errors: string[];
}

/** A state function's return, Salt's four keys. `result: null` means "would change" in test mode. */
export interface StateResult {
  name: string;
  result: boolean | null;
  changes: Record<string, unknown>;
  comment: string;
  warnings?: string[];
}

/** One entry of a state run's return, keyed by `genTag(chunk)`. */
export interface ChunkReturn extends StateResult {
  __sls__: string;
  /** 0-based order in which results were produced. */
  __run_num__: number;
  /** Local wall-clock time `HH:MM:SS.ffffff` (Python's `time().isoformat()`). */
  start_time: string;
  /** Milliseconds, to the microsecond. */
  duration: number;
  __id__: string;
  /** False when onchanges/onfail kept the state from running. */
  __state_ran__?: boolean;
  /** Set when onlyif/unless/creates skipped the state, so a watch does not fire mod_watch. */
  skip_watch?: boolean;
  [key: string]: unknown;
}

/** What the engine hands a state function besides its name and arguments. */
export interface StateRunContext {
  /** Salt's test=True (also true while a prereq is being test-run): report, don't change. */
  readonly test: boolean;
  /** The chunk being run, including the keywords the engine keeps out of `args` (runas, onlyif, ...). */
  readonly chunk: Readonly<Chunk>;
  /** Results so far (Salt's `__running__`); `mod_watch` reads it to see which watched states changed. */
  readonly running: Readonly<Record<string, ChunkReturn>>;
}

/**
 * A state function: `args` holds the chunk's arguments minus `name` and Salt's internal keywords
 * (STATE_INTERNAL_KEYWORDS). Throwing is allowed: the engine reports
 * `An exception occurred in this state: ...` with result False, as Salt does.
 */
export type StateFunction = (name: string, args: Record<string, unknown>, ctx: StateRunContext) => Promise<StateResult>;

/** Everything external a state run needs; the engine itself does no IO. */
export interface RunOptions {
  /** The state function for `state.fun`, `undefined` if there is none (also asked for `mod_watch`). */
  lookup(state: string, fun: string): StateFunction | undefined;
  /** Salt's test=True for the whole run. */
  test: boolean;
  /** Stop at the first failure (Salt's `failhard` option); a chunk's own `failhard` arg wins. @default false */
  failhard?: boolean;
  /** Runs an onlyif/unless/check_cmd shell command and returns its exit code (Salt's `cmd.retcode`). */
  runCondition?(command: string, chunk: Chunk): Promise<number>;
  /** Calls an execution function for the dict form of onlyif/unless (`{fun: file.file_exists, ...}`). */
  callFunction?(fun: string, args: unknown[], kwargs: Record<string, unknown>, chunk: Chunk): Promise<unknown>;
  /** Whether a path exists, for `creates`. */
  pathExists?(path: string): Promise<boolean>;
  /** Clock for start_time and duration. @default the system clock, to the microsecond */
  now?(): Date;
  /** Waits between `retry` attempts. @default setTimeout */
  sleep?(seconds: number): Promise<void>;
  /** Called once per result as it is produced; `total` is the chunk count (Salt's progress event `len`). */
  onChunkDone?(tag: string, ret: ChunkReturn, total: number): void;
}

/** Salt's `_gen_tag`: the key of a chunk's result, `<state>_|-<id>_|-<name>_|-<fun>`. */
export function genTag(low: { state: unknown; __id__: unknown; name: unknown; fun: unknown }): string {
  return `${String(low.state)}_|-${String(low.__id__)}_|-${String(low.name)}_|-${String(low.fun)}`;
}
