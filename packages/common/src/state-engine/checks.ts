/**
 * The global arguments Salt evaluates around every state (State._run_check, _run_check_cmd):
 * `onlyif`, `unless`, `creates` decide whether the function runs at all; `check_cmd` decides its
 * result afterwards. Commands and function calls go out through RunOptions callbacks.
 */
import type { Engine, Low } from './engine.js';
import { InvocationError } from '../errors.js';
import { isRecord, pyStr, truthy } from './py.js';
import { asList } from './requisites.js';

interface Verdict {
  result: boolean;
  comment?: string;
  skip_watch?: boolean;
}

/** `result: true` means "do not run the function"; the comments are joined with newlines later. */
export async function runCheck(engine: Engine, low: Low): Promise<{ result: boolean; comment: string[]; skip_watch?: boolean }> {
  const ret: { result: boolean; comment: string[]; skip_watch?: boolean } = { result: false, comment: [] };
  const steps: Array<[string, () => Promise<Verdict>]> = [
    ['onlyif', () => onlyif(engine, low)],
    ['unless', () => unless(engine, low)],
    ['creates', () => creates(engine, low)],
  ];
  for (const [key, step] of steps) {
    if (!(key in low)) continue;
    const verdict = await step();
    // onlyif sets the result; unless and creates can only turn it to "skip".
    ret.result = key === 'onlyif' ? verdict.result : verdict.result || ret.result;
    if (verdict.comment !== undefined) ret.comment.push(verdict.comment);
    if (verdict.skip_watch !== undefined) ret.skip_watch = verdict.skip_watch || (ret.skip_watch ?? false);
  }
  return ret;
}

/** All commands must exit 0 (all calls return something truthy) for the state to run. */
async function onlyif(engine: Engine, low: Low): Promise<Verdict> {
  let ret: Verdict = { result: false };
  const skip: Verdict = { comment: 'onlyif condition is false', skip_watch: true, result: true };
  for (const entry of asList(low.onlyif)) {
    if (typeof entry === 'string') {
      // A command that cannot run at all counts as failing (Salt uses 100).
      const code = await exitCode(engine, entry, low, 100);
      if (code !== 0 && ret.result === false) return skip;
      if (code === 0) ret = { ...ret, comment: 'onlyif condition is true', result: false };
    } else if (isRecord(entry)) {
      if (!('fun' in entry)) return { ...ret, comment: `no \`fun\` argument in onlyif: ${pyStr(entry)}` };
      if (!truthy(await callCheckFunction(engine, low, entry))) return skip;
      ret = { ...ret, comment: 'onlyif condition is true', result: false };
    } else {
      return { comment: 'onlyif execution failed, bad type passed', result: false };
    }
  }
  return ret;
}

/** The state runs if any command fails (any call returns something falsy). */
async function unless(engine: Engine, low: Low): Promise<Verdict> {
  let ret: Verdict = { result: false };
  const skip: Verdict = { comment: 'unless condition is true', skip_watch: true, result: true };
  const run: Verdict = { comment: 'unless condition is false', result: false };
  for (const entry of asList(low.unless)) {
    if (typeof entry === 'string') {
      // A command that cannot run at all counts as succeeding, so the state is skipped (Salt's choice).
      const code = await exitCode(engine, entry, low, 0);
      if (code !== 0) return run;
      ret = skip;
    } else if (isRecord(entry)) {
      if (!('fun' in entry)) return { ...ret, comment: `no \`fun\` argument in unless: ${pyStr(entry)}` };
      if (!truthy(await callCheckFunction(engine, low, entry))) return run;
      ret = skip;
    } else {
      ret = { comment: 'unless condition is false, bad type passed', result: false };
    }
  }
  return ret;
}

async function creates(engine: Engine, low: Low): Promise<Verdict> {
  const exists = engine.options.pathExists;
  if (!exists) throw new InvocationError('creates needs the runner to be given pathExists');
  const paths = low.creates;
  if (typeof paths === 'string' && (await exists(paths))) {
    return { comment: `${paths} exists`, result: true, skip_watch: true };
  }
  if (Array.isArray(paths)) {
    const found = await Promise.all(paths.map((path) => exists(pyStr(path))));
    if (found.every(Boolean)) return { comment: 'All files in creates exist', result: true, skip_watch: true };
  }
  return { comment: 'Creates files not found', result: false };
}

/** `check_cmd`: every command must exit 0 for the state to count as a success. */
export async function runCheckCmd(engine: Engine, low: Low): Promise<{ result: boolean; comment?: string }> {
  let ret: { result: boolean; comment?: string } = { result: false };
  const run = commandRunner(engine);
  for (const entry of asList(low.check_cmd)) {
    const code = await run(pyStr(entry), low);
    if (code === 0 && ret.result === false) ret = { comment: 'check_cmd determined the state succeeded', result: true };
    else if (code !== 0) return { comment: 'check_cmd determined the state failed', result: false };
  }
  return ret;
}

async function exitCode(engine: Engine, command: string, low: Low, onError: number): Promise<number> {
  const run = commandRunner(engine);
  try {
    return await run(command, low);
  } catch {
    return onError;
  }
}

function commandRunner(engine: Engine): NonNullable<Engine['options']['runCondition']> {
  const run = engine.options.runCondition;
  if (!run) throw new InvocationError('onlyif, unless and check_cmd commands need the runner to be given runCondition');
  return run;
}

/** `{fun: file.file_exists, args: [...], get_return: key:path, <kwargs>}` (Salt's `_run_check_function`). */
async function callCheckFunction(engine: Engine, low: Low, entry: Record<string, unknown>): Promise<unknown> {
  const call = engine.options.callFunction;
  if (!call) throw new InvocationError('onlyif and unless function calls need the runner to be given callFunction');
  const { fun, args, get_return: getReturn, ...kwargs } = entry;
  const result = await call(pyStr(fun), asList(args), kwargs, low);
  return getReturn === undefined || getReturn === null ? result : traverse(result, pyStr(getReturn));
}

/** Salt's `traverse_dict_and_list` with its default `:` delimiter. */
function traverse(value: unknown, path: string): unknown {
  let current = value;
  for (const part of path.split(':')) {
    if (Array.isArray(current)) current = current[Number(part)];
    else if (isRecord(current)) current = current[part];
    else return undefined;
  }
  return current;
}
