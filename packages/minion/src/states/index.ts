/**
 * The minion's state modules, run by common's state engine. Named re-exports only.
 * @module
 */

/** Every state function keyed 'module.function' ('file.managed'), built over the shared deps. */
export { makeStateFunctions } from './functions.js';
/** What the state modules need from the minion: the execution-function caller, the renderer, settings. */
export type { StateDeps } from './deps.js';
