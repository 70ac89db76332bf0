/**
 * Salt's job argument handling: CLI strings to the published `arg` list, and back to args/kwargs.
 * @module
 */
export { parseCliArgs, splitArgs, parseKwarg } from './parse.js';
export type { ParseCliArgsOptions } from './parse.js';
export { yamlifyArg } from './yamlify.js';
export { listArg, pillarArg } from './state-args.js';
