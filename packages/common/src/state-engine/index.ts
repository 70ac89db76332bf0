/**
 * Salt's state compiler and runner, pure: SLS data comes in through a loader callback, state
 * functions through a lookup, commands and paths through callbacks. Named re-exports only.
 * @module
 */
/** Assembles high data from SLS files: include, extend/exclude collection, auto-order. */
export { buildHighState, SlsFile } from './build.js';
export type { SlsLoader, BuildOptions } from './build.js';
/** Compiles high data to ordered chunks (extend, verify, `_in` requisites, exclude, names, order). */
export { compileHighData } from './compile.js';
export type { CompileOptions } from './compile.js';
/** The reactor's flavour of the compiler. */
export { compileReactions } from './reactor.js';
/** Runs chunks with requisites and returns Salt's result dict. */
export { runChunks } from './run.js';
/** The exit code of a state run. */
export { stateRetcode, STATE_RETCODES } from './retcode.js';
/** Salt's `test` state module. */
export { testStates } from './test-states.js';
/** Salt's keyword sets; state functions never receive these in `args`. */
export { STATE_INTERNAL_KEYWORDS, STATE_REQUISITE_KEYWORDS, STATE_REQUISITE_IN_KEYWORDS, STATE_RUNTIME_KEYWORDS } from './keywords.js';
/** Salt's `_gen_tag`: the key of a chunk's result. */
export { genTag } from './types.js';
export type {
  HighData,
  Chunk,
  CompileResult,
  StateResult,
  ChunkReturn,
  StateRunContext,
  StateFunction,
  RunOptions,
} from './types.js';
