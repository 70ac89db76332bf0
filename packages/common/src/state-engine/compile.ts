/**
 * Salt's compile step (`State.call_high` up to `call_chunks`): apply `__extend__`, verify, rewrite
 * `_in` requisites, apply `__exclude__`, then turn each ID's state declaration into low chunks and
 * order them.
 */
import type { CompileResult, HighData } from './types.js';
import { applyExclude, reconcileExtend } from './extend.js';
import { applyAutoOrder, orderChunks } from './order.js';
import type { RawChunk } from './order.js';
import { deepEqual, firstKey, isRecord, pyStr } from './py.js';
import { requisiteIn } from './requisite-in.js';
import { verifyHigh } from './verify.js';

export interface CompileOptions {
  /**
   * Number state declarations that have no `order` 10000, 10001, ... in key order. buildHighState
   * already does this in render order (Salt's default `state_auto_order: True`); Salt does not do it
   * for high data passed in directly (`state.high`, `state.template_str`). @default false
   */
  autoOrder?: boolean;
}

/** Compiles high data to ordered chunks, or returns Salt's errors and no chunks. */
export function compileHighData(high: HighData, options: CompileOptions = {}): CompileResult {
  if (!isRecord(high)) return { chunks: [], errors: verifyHigh(high) };
  // Salt mutates the high data as it goes; the caller's copy must survive (it may be shown or cached).
  const data: HighData = structuredClone(high);
  if (options.autoOrder) applyAutoOrder(data);
  const errors = reconcileExtend(data);
  errors.push(...verifyHigh(data));
  if (errors.length > 0) return { chunks: [], errors };
  errors.push(...requisiteIn(data));
  applyExclude(data);
  if (errors.length > 0) return { chunks: [], errors };
  return { chunks: orderChunks(lowChunks(data)), errors: [] };
}

/**
 * Salt's `compile_high_data` without the ordering: one chunk per ID and state declaration (one per
 * entry of `names:`), with every single-key argument flattened into the chunk.
 */
export function lowChunks(high: HighData): RawChunk[] {
  const chunks: RawChunk[] = [];
  for (const [id, body] of Object.entries(high)) {
    if (id.startsWith('__') || !isRecord(body)) continue;
    for (const [state, run] of Object.entries(body)) {
      if (state.startsWith('__') || !Array.isArray(run)) continue;
      const funcs = new Set<string>();
      const names: unknown[] = [];
      const chunk: Record<string, unknown> = { state, name: id };
      if ('__sls__' in body) chunk.__sls__ = body.__sls__;
      if ('__env__' in body) chunk.__env__ = body.__env__;
      chunk.__id__ = id;
      for (const arg of run) {
        if (typeof arg === 'string') {
          funcs.add(arg);
          continue;
        }
        if (!isRecord(arg)) continue;
        for (const [key, val] of Object.entries(arg)) {
          if (key === 'names') {
            for (const entry of Array.isArray(val) ? val : []) {
              if (!names.some((seen) => deepEqual(seen, entry))) names.push(entry);
            }
          } else if (key === 'state') {
            continue; // a state override is never passed down
          } else if (key === 'name' && typeof val !== 'string') {
            chunk.name = id; // an invalid name falls back to the ID
          } else {
            chunk[key] = val;
          }
        }
      }
      const emit = (live: Record<string, unknown>) => {
        for (const fun of funcs) chunks.push({ ...structuredClone(live), fun } as RawChunk);
      };
      if (names.length === 0) {
        emit(chunk);
        continue;
      }
      let nameOrder = 1;
      for (const entry of names) {
        const live = structuredClone(chunk);
        if (isRecord(entry)) {
          // `- names: [{/tmp/a: [{mode: 644}]}]`: a name with its own arguments.
          const lowName = firstKey(entry) ?? '';
          live.name = lowName;
          const extra = entry[lowName];
          for (const item of Array.isArray(extra) ? extra : []) if (isRecord(item)) Object.assign(live, item);
        } else {
          // Salt keeps a non-string name and then fails the state; we use its Python str().
          live.name = pyStr(entry);
        }
        live.name_order = nameOrder++;
        emit(live);
      }
    }
  }
  return chunks;
}
