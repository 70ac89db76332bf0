/**
 * Salt's `State.call`: run one state function with its global arguments (onlyif, unless, creates,
 * check_cmd, retry), time it, and give the result its run number.
 */
import type { ChunkReturn, StateRunContext } from './types.js';
import type { Engine, Low, PreReturn } from './engine.js';
import { localTime, roundMs } from './engine.js';
import { runCheck, runCheckCmd } from './checks.js';
import { STATE_INTERNAL_KEYWORDS } from './keywords.js';
import { isRecord, pyRepr, pyTypeName } from './py.js';

const RETRY_DEFAULTS = { until: true, attempts: 2, splay: 0, interval: 30 };

/**
 * Runs `low` and returns its result. While a prereq is being test-run (`__prereq__`) the result has
 * no run number or timing, and the flag is cleared, as in Salt.
 */
export async function callState(
  engine: Engine,
  low: Low,
  running: Record<string, ChunkReturn>,
  retries = 1,
): Promise<ChunkReturn | PreReturn> {
  const start = engine.clock();
  const full = `${low.state}.${low.fun}`;
  const errors: string[] = [];
  if (low.name && typeof low.name !== 'string') {
    errors.push(`ID '${String(low.name)}' in SLS '${low.__sls__}' is not formed as a string, but is a ${pyTypeName(low.name)}`);
  }
  const found = engine.find(low.state, low.fun);
  if (!found.fn) {
    errors.push(`State '${full}' was not found in SLS '${low.__sls__}'`);
    if (found.reason) errors.push(`Reason: ${found.reason}`);
  }
  if (errors.length > 0 || !found.fn) {
    const ret = { result: false, name: low.name, changes: {}, comment: errors.map((error) => `${error}\n`).join('') };
    // Salt leaves the prereq flag set here, so the state never gets a real result; we clear it.
    if (!low.__prereq__) return finish(engine, low, ret, start);
    low.__prereq__ = false;
    return ret;
  }

  const ctx: StateRunContext = { test: engine.options.test || low.__prereq__ === true, chunk: low, running };
  let ret: Record<string, unknown> = { result: false, name: low.name, changes: {} };
  try {
    if (['unless', 'onlyif', 'creates'].some((key) => key in low) && !engine.has(low.state, 'mod_run_check')) {
      Object.assign(ret, await runCheck(engine, low));
    }
    if (ret.result === false) ret = { ...(await found.fn(low.name, functionArgs(low), ctx)) };
    if ('check_cmd' in low && !engine.has(low.state, 'mod_run_check_cmd')) Object.assign(ret, await runCheckCmd(engine, low));
  } catch (error) {
    // Salt puts the traceback in the comment; the stack is our nearest equivalent.
    ret = { result: false, name: low.name, changes: {}, comment: `An exception occurred in this state: ${trace(error)}` };
  }
  const result = unify(ret, low);
  if (low.__prereq__) {
    low.__prereq__ = false;
    return result;
  }
  const out = finish(engine, low, result, start);
  return 'retry' in low && !('parallel' in low) ? retry(engine, low, running, out, retries) : out;
}

/** Everything but `name` and the engine's own keywords, as Salt's `format_call` passes `**kwargs`. */
export function functionArgs(low: Low): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(low)) {
    if (key !== 'name' && !STATE_INTERNAL_KEYWORDS.has(key)) args[key] = value;
  }
  return args;
}

function finish(engine: Engine, low: Low, ret: PreReturn, start: number): ChunkReturn {
  const end = engine.clock();
  return {
    ...ret,
    __sls__: low.__sls__,
    __run_num__: engine.runNum++,
    start_time: localTime(start),
    duration: roundMs(end - start),
    __id__: low.__id__,
  };
}

/**
 * Salt's OutputUnifier: a return must be a dict with name/result/changes/comment and dict changes;
 * a list comment is joined with newlines and a non-None result becomes a bool.
 */
function unify(ret: unknown, low: Low): PreReturn {
  let problem: string | undefined;
  if (!isRecord(ret)) problem = 'Malformed state return. Data must be a dictionary type.';
  else if (!isRecord(ret.changes)) problem = "'Changes' should be a dictionary.";
  else {
    const missing = ['name', 'result', 'changes', 'comment'].filter((key) => !(key in ret));
    if (missing.length > 0) problem = `The following keys were not present in the state return: ${missing.join(',')}.`;
  }
  if (problem !== undefined || !isRecord(ret)) {
    return { name: low.name, result: false, changes: {}, comment: `An exception occurred in this state: ${problem}` };
  }
  const comment = Array.isArray(ret.comment) ? ret.comment.map((c) => (typeof c === 'string' ? c : pyRepr(c))).join('\n') : ret.comment;
  const result = ret.result === null || ret.result === undefined ? null : Boolean(ret.result);
  return { ...ret, name: ret.name as string, changes: ret.changes as Record<string, unknown>, comment: String(comment), result };
}

async function retry(engine: Engine, low: Low, running: Record<string, ChunkReturn>, ret: ChunkReturn, retries: number): Promise<ChunkReturn> {
  const data = retryData(low.retry);
  low.retry = data;
  const py = (value: unknown) => pyRepr(value);
  if (engine.options.test) {
    const note =
      `The state would be retried every ${data.interval} seconds (with a splay of up to ${data.splay} seconds) ` +
      `a maximum of ${data.attempts} times or until a result of ${py(data.until)} is returned`;
    return { ...ret, comment: [ret.comment ? String(ret.comment) : '', note].join('  ') };
  }
  if (data.until === ret.result || data.attempts <= retries) return ret;
  const interval = data.interval + (data.splay !== 0 ? Math.floor(Math.random() * (data.splay + 1)) : 0);
  await (engine.options.sleep ?? defaultSleep)(interval);
  const again = (await callState(engine, low, running, retries + 1)) as ChunkReturn;
  return {
    ...again,
    comment: [
      `Attempt ${retries}: Returned a result of "${py(ret.result)}", with the following comment: "${ret.comment}"`,
      again.comment ? again.comment : '',
    ].join('\n'),
    duration: roundMs(again.duration + ret.duration + interval * 1000),
    start_time: retries === 1 ? ret.start_time : again.start_time,
  };
}

/** Salt's `verify_retry_data`: a bad or missing field falls back to its default. */
function retryData(raw: unknown): typeof RETRY_DEFAULTS {
  if (!isRecord(raw)) return { ...RETRY_DEFAULTS };
  const int = (key: 'attempts' | 'splay' | 'interval') => (Number.isInteger(raw[key]) ? (raw[key] as number) : RETRY_DEFAULTS[key]);
  return {
    until: typeof raw.until === 'boolean' ? raw.until : RETRY_DEFAULTS.until,
    attempts: int('attempts'),
    splay: int('splay'),
    interval: int('interval'),
  };
}

function defaultSleep(seconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, seconds * 1000));
}

function trace(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
