/**
 * Salt's `State.call_chunks`/`call_chunk` (3006): walk the ordered chunks, run each chunk's
 * requisites first (recursively), then decide from their results whether and how the chunk runs.
 */
import type { Chunk, ChunkReturn, RunOptions } from './types.js';
import { genTag } from './types.js';
import { callState } from './call.js';
import { Engine } from './engine.js';
import type { Low, Pass, PreReturn } from './engine.js';
import { callListen } from './listen.js';
import { pyStr, truthy } from './py.js';
import { RUN_FIRST, asList, checkRequisite, normalizeReq, reqMatches } from './requisites.js';

/** Runs compiled chunks and returns Salt's result dict, keyed by `genTag(chunk)`. */
export async function runChunks(chunks: readonly Chunk[], options: RunOptions): Promise<Record<string, ChunkReturn>> {
  const engine = new Engine(options, chunks.length);
  // Salt flags and rewrites chunks while it runs; the caller's chunks stay untouched.
  const lows = structuredClone(chunks) as Low[];
  const running = await callChunks(engine, lows);
  return callListen(engine, lows, running, callChunks);
}

async function callChunks(engine: Engine, chunks: Low[]): Promise<Record<string, ChunkReturn>> {
  const pass: Pass = { chunks, running: {}, active: new Set() };
  engine.failhard = false;
  for (const low of chunks) {
    const tag = genTag(low);
    if (!(tag in pass.running)) {
      await callChunk(engine, pass, low);
      // Later chunks are not run and do not appear in the result, as in Salt.
      if (engine.failhard || checkFailhard(engine, low, pass.running)) break;
    }
    pass.active.clear();
  }
  return pass.running;
}

/** failhard (the chunk's own arg, else the run's option) stops on a False result, never in test mode. */
function checkFailhard(engine: Engine, low: Low, running: Record<string, ChunkReturn>): boolean {
  if (engine.options.test) return false;
  const ret = running[genTag(low)];
  if (!truthy(low.failhard ?? engine.options.failhard ?? false) || !ret) return false;
  return ret.result === false;
}

async function callChunk(engine: Engine, pass: Pass, low: Low, depth = 0): Promise<void> {
  const { running, chunks } = pass;
  const tag = genTag(low);
  if (!truthy(low.prerequired)) pass.active.add(tag);
  const kinds: string[] = [...RUN_FIRST];
  if (!low.__prereq__) kinds.push('prerequired');
  const checked = checkRequisite(engine, low, running, chunks, !low.__prereq__);
  const reqs = checked.reqs;
  let status = checked.status;

  if (status === 'unmet') {
    const lost: Array<[string, unknown[]]> = [];
    const targets: Low[] = [];
    for (const kind of kinds) {
      const missing: unknown[] = [];
      for (const raw of kind in low ? asList(low[kind]) : []) {
        const req = normalizeReq(raw);
        const found = req ? chunks.filter((chunk) => reqMatches(chunk, req.key, req.val)) : [];
        for (const chunk of found) {
          // Salt marks prereq targets for a test run, and prerequired ones for the recursion check.
          if (kind === 'prereq') chunk.__prereq__ = true;
          else if (kind === 'prerequired' && req?.key !== 'sls') chunk.__prerequired__ = true;
        }
        targets.push(...found);
        if (found.length === 0) missing.push(req ? { [req.key]: req.val } : raw);
      }
      if (missing.length > 0) lost.push([kind, missing]);
    }
    if (lost.length > 0) {
      let comment = 'The following requisites were not found:\n';
      for (const [kind, missing] of lost) {
        comment += `${' '.repeat(19)}${kind}:\n`;
        for (const req of missing) {
          const entry = normalizeReq(req);
          comment += entry ? `${' '.repeat(23)}${entry.key}: ${pyStr(entry.val)}\n` : `${' '.repeat(23)}${pyStr(req)}\n`;
        }
      }
      const ret = notRun(engine, low, false, comment);
      if (low.__prereq__) engine.pre[tag] = ret;
      else running[tag] = ret;
      engine.emit(tag, ret);
      return;
    }
    for (const chunk of targets) {
      const ctag = genTag(chunk);
      if (ctag in running) continue;
      if (pass.active.has(ctag)) {
        if (chunk.__prerequired__) {
          // A prereq loop: test-run this chunk in the target's place and let the loop unwind.
          if (!(tag in engine.pre)) {
            low.__prereq__ = true;
            engine.pre[ctag] = await callState(engine, low, running);
          }
          return;
        }
        running[tag] = notRun(engine, low, false, 'Recursive requisite found');
        engine.emit(tag, running[tag]!);
        return;
      }
      await callChunk(engine, pass, chunk);
      if (engine.failhard || checkFailhard(engine, chunk, running)) {
        engine.failhard = true;
        return;
      }
    }
    if (low.__prereq__) {
      ({ status } = checkRequisite(engine, low, running, chunks, false));
      const ret = await callState(engine, low, running);
      if (!truthy(ret.changes) && status === 'change') {
        ret.changes = { watch: 'watch' };
        ret.result = null;
      }
      engine.pre[tag] = ret;
    } else if (depth + 1 >= 20) {
      // Salt's guard: re-checking this often means the requisites can never be met.
      running[tag] = notRun(engine, low, false, 'Recursive requisite found');
    } else {
      await callChunk(engine, pass, low, depth + 1);
    }
  } else if (status === 'met') {
    await record(engine, pass, low, tag);
  } else if (status === 'fail') {
    const tested = engine.pre[tag];
    if (tested) {
      // This state was test-run for a prereq whose state then failed: show that test run, minus
      // the changes it only predicted (newer Salt clears them; 3006 kept them).
      const timing = engine.fakeTiming();
      running[tag] = { ...timing, ...tested, changes: {}, name: low.name, __sls__: low.__sls__, __id__: low.__id__, __run_num__: engine.runNum++ };
    } else {
      const failed = new Set<string>();
      for (const targets of Object.values(reqs)) {
        for (const req of targets) {
          const rtag = genTag(req);
          const ret = engine.pre[rtag] ?? running[rtag];
          if (ret?.result === false) failed.add(`${req.__sls__}.${req.__id__}`);
        }
      }
      running[tag] = notRun(engine, low, false, `One or more requisite failed: ${[...failed].join(', ')}`);
      engine.pre[tag] = running[tag]!;
    }
  } else if (status === 'change' && !low.__prereq__) {
    let ret = (await callState(engine, low, running)) as ChunkReturn;
    // A watched state changed: if this state did nothing itself, its mod_watch reacts (a restart).
    if (!truthy(ret.changes) && !ret.skip_watch) {
      const watcher: Low = { ...low, sfun: low.fun, fun: 'mod_watch', __reqs__: reqs };
      ret = (await callState(engine, watcher, running)) as ChunkReturn;
    }
    running[tag] = ret;
  } else if (status === 'pre') {
    running[tag] = notRun(engine, low, true, 'No changes detected');
    engine.pre[tag] = running[tag]!;
  } else if (status === 'onfail') {
    running[tag] = { ...notRun(engine, low, true, 'State was not run because onfail req did not change'), __state_ran__: false };
  } else if (status === 'onchanges') {
    const comment = 'State was not run because none of the onchanges reqs changed';
    running[tag] = { ...notRun(engine, low, true, comment), __state_ran__: false };
  } else {
    await record(engine, pass, low, tag);
  }
  const ret = running[tag];
  if (ret) engine.emit(tag, ret);
}

/** Runs the chunk for real, or as a test run when a prereq asked for one. */
async function record(engine: Engine, pass: Pass, low: Low, tag: string): Promise<void> {
  const prereq = low.__prereq__ === true;
  const ret = await callState(engine, low, pass.running);
  if (prereq) engine.pre[tag] = ret as PreReturn;
  else pass.running[tag] = ret as ChunkReturn;
}

/**
 * The result of a state that did not run. Salt 3006 leaves out `name` and `__id__` here; newer
 * Salt includes them, and so do we, so every entry has the same shape.
 */
function notRun(engine: Engine, low: Low, result: boolean, comment: string): ChunkReturn {
  return {
    name: low.name,
    changes: {},
    result,
    comment,
    ...engine.fakeTiming(),
    __run_num__: engine.runNum++,
    __sls__: low.__sls__,
    __id__: low.__id__,
  };
}
