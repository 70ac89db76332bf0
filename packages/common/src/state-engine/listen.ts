/**
 * Salt's `State.call_listen`: after all chunks ran, every state that `listen`s to a state with
 * changes (or is named by a `listen_in`) gets its `mod_watch` called once, as a chunk with the ID
 * `listener_<id>` and no requisites.
 */
import type { ChunkReturn } from './types.js';
import { genTag } from './types.js';
import type { Engine, Low } from './engine.js';
import { STATE_REQUISITE_KEYWORDS } from './keywords.js';
import { isRecord, pyStr, truthy } from './py.js';
import { asList } from './requisites.js';

type Ref = readonly [state: string, id: string, name: string];

/** Runs chunks as one pass of call_chunks (passed in to keep the module graph acyclic). */
export type CallChunks = (engine: Engine, chunks: Low[]) => Promise<Record<string, ChunkReturn>>;

export async function callListen(
  engine: Engine,
  chunks: Low[],
  running: Record<string, ChunkReturn>,
  callChunks: CallChunks,
): Promise<Record<string, ChunkReturn>> {
  const refs: Array<[Ref, Low]> = chunks.map((chunk) => [[chunk.state, chunk.__id__, String(chunk.name)], chunk]);
  const listeners: Array<{ who: Ref; to: unknown[]; sls: string }> = [];
  for (const chunk of chunks) {
    if ('listen' in chunk) listeners.push({ who: [chunk.state, chunk.__id__, String(chunk.name)], to: asList(chunk.listen), sls: chunk.__sls__ });
    for (const item of 'listen_in' in chunk ? asList(chunk.listen_in) : []) {
      if (!isRecord(item)) continue;
      for (const [state, id] of Object.entries(item)) {
        listeners.push({ who: [state, pyStr(id), 'lookup'], to: [{ [chunk.state]: chunk.__id__ }], sls: chunk.__sls__ });
      }
    }
  }
  // Salt matches a (state, value) pair against any of state/ID/name of a chunk.
  const matching = (state: string, value: string) => refs.filter(([ref]) => ref[0] === state && ref.includes(value));
  const watchers: Low[] = [];
  const errors: Record<string, ChunkReturn> = {};
  const missing = (state: string, value: string, sls: string) => {
    errors[`Listen_Error_|-listen_${value}_|-listen_${state}_|-Listen_Error`] = {
      comment: `Referenced state ${state}: ${value} does not exist`,
      name: `listen_${state}:${value}`,
      result: false,
      changes: {},
      ...engine.fakeTiming(),
      __run_num__: 0,
      __sls__: sls,
      __id__: `listen_${value}`,
    };
  };
  for (const { who, to, sls } of listeners) {
    for (let target of to) {
      if (!isRecord(target)) {
        // A bare string is an ID or a name; Salt takes the last chunk that matches.
        const hit = chunks.filter((c) => c.__id__ === target || c.name === target).pop();
        if (!hit) continue;
        target = { [hit.state]: hit.__id__ };
      }
      for (const [state, rawValue] of Object.entries(target as Record<string, unknown>)) {
        const value = pyStr(rawValue);
        const targets = matching(state, value);
        if (targets.length === 0) {
          missing(state, value, sls);
          continue;
        }
        for (const [, data] of targets) {
          const ret = running[genTag(data)];
          if (!ret || !truthy(ret.changes)) continue;
          const own = matching(who[0], who[1]);
          if (own.length === 0) {
            missing(who[0], who[1], sls);
            continue;
          }
          for (const [, chunk] of own) {
            const low: Low = { ...chunk, sfun: chunk.fun, fun: 'mod_watch', __id__: `listener_${chunk.__id__}` };
            for (const key of STATE_REQUISITE_KEYWORDS) delete low[key];
            watchers.push(low);
          }
        }
      }
    }
  }
  const ret = await callChunks(engine, watchers);
  const merged = { ...running, ...ret };
  for (const [tag, error] of Object.entries(errors)) merged[tag] = { ...error, __run_num__: engine.runNum++ };
  return merged;
}
