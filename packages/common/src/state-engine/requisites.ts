/**
 * Salt's `State.check_requisite` (3006): finds the chunks a chunk's requisites name and decides,
 * from their results so far, whether the chunk can run.
 */
import type { ChunkReturn } from './types.js';
import { genTag } from './types.js';
import type { Engine, Low } from './engine.js';
import { fnmatch } from '../match/fnmatch.js';
import { firstKey, isRecord, truthy } from './py.js';

/**
 * `unmet`: some requisite has not run (or does not exist); `fail`: one failed; `change`: a watched
 * state changed; `pre`: no prereq predicted changes; `onfail`/`onchanges`: the condition is not met.
 */
export type Status = 'met' | 'unmet' | 'fail' | 'pre' | 'onfail' | 'onchanges' | 'change';

/** Requisite kind → the chunks it names. */
export type Reqs = Record<string, Low[]>;

/** The kinds call_chunk runs first when unmet (Salt omits onfail_all there; we include it). */
export const RUN_FIRST = [
  'require',
  'require_any',
  'watch',
  'watch_any',
  'prereq',
  'onfail',
  'onfail_any',
  'onfail_all',
  'onchanges',
  'onchanges_any',
] as const;

/** `{file: x}`, `{file.managed: x}` (trimmed to `file`), or a bare ID (`{id: x}`). */
export function normalizeReq(raw: unknown): { key: string; val: unknown } | undefined {
  const req = typeof raw === 'string' ? { id: raw } : raw;
  if (!isRecord(req)) return undefined;
  const key = firstKey(req);
  if (key === undefined) return undefined;
  return { key: key.split('.')[0]!, val: req[key] };
}

/** `sls:` globs the chunk's SLS; anything else globs its name or ID, and `id:` matches any state. */
export function reqMatches(chunk: Low, key: string, val: unknown): boolean {
  const pattern = typeof val === 'string' ? val : typeof val === 'number' ? String(val) : undefined;
  if (pattern === undefined) return false;
  if (key === 'sls') return fnmatch(String(chunk.__sls__), pattern);
  const named = fnmatch(String(chunk.name), pattern) || fnmatch(String(chunk.__id__), pattern);
  return named && (key === 'id' || chunk.state === key);
}

export function asList(value: unknown): unknown[] {
  if (value === null || value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** Without a `mod_watch`, a watch is just a require (Salt rewrites the chunk the same way). */
function watchAsRequire(engine: Engine, low: Low): boolean {
  let present = false;
  for (const [watch, require] of [['watch', 'require'], ['watch_any', 'require_any']] as const) {
    if (!(watch in low)) continue;
    if (engine.has(low.state, 'mod_watch')) {
      present = true;
      continue;
    }
    low[require] = [...asList(low[require]), ...asList(low[watch])];
    delete low[watch];
  }
  return present;
}

export function checkRequisite(
  engine: Engine,
  low: Low,
  running: Record<string, ChunkReturn>,
  chunks: readonly Low[],
  pre: boolean,
): { status: Status; reqs: Reqs } {
  let present = watchAsRequire(engine, low);
  const kinds: string[] = [...RUN_FIRST];
  if (pre) kinds.push('prerequired');
  for (const kind of [...kinds, 'prerequired']) if (kind in low) present = true;
  if (!present) return { status: 'met', reqs: {} };

  const reqs: Reqs = {};
  for (const kind of kinds) {
    reqs[kind] = [];
    if (low[kind] === null || low[kind] === undefined) continue;
    for (const raw of asList(low[kind])) {
      const req = normalizeReq(raw);
      if (!req) return { status: 'unmet', reqs: {} };
      const found = chunks.filter((chunk) => reqMatches(chunk, req.key, req.val));
      if (found.length === 0) return { status: 'unmet', reqs: {} };
      reqs[kind]!.push(...found);
    }
  }

  const stats = new Set<string>();
  for (const [kind, targets] of Object.entries(reqs)) {
    const found = new Set<string>();
    // prereq results live in `pre` (test runs); prerequired checks the real run.
    const isPrereq = kind.startsWith('prereq') && kind !== 'prerequired';
    const runDict: Record<string, { result: boolean | null; changes: unknown; __state_ran__?: unknown }> =
      isPrereq ? engine.pre : running;
    for (const chunk of targets) {
      const ret = runDict[genTag(chunk)];
      if (!ret) {
        found.add('unmet');
        continue;
      }
      if (kind.startsWith('onfail')) {
        if (ret.result === true) {
          found.add('onfail'); // at least one state is OK
          continue;
        }
      } else if (ret.result === false) {
        found.add('fail');
        continue;
      }
      if (kind.startsWith('onchanges')) {
        found.add(truthy(ret.changes) ? 'onchangesmet' : 'onchanges');
        continue;
      }
      if (kind.startsWith('watch') && truthy(ret.changes)) {
        found.add('change');
        continue;
      }
      // Salt's branches, kept as written: for prerequired neither `pre` nor `met` is recorded
      // unless the result is None.
      if (kind.startsWith('prereq') && ret.result === null && kind !== 'prerequired') found.add('premet');
      if (kind.startsWith('prereq') && ret.result !== null) {
        if (kind !== 'prerequired') found.add('pre');
      } else if (ret.__state_ran__ ?? true) {
        found.add('met');
      }
    }
    if (kind.endsWith('_any') || kind === 'onfail') {
      if ((found.has('met') || found.has('change')) && found.has('fail')) found.delete('fail');
      if (found.has('onchangesmet')) {
        found.delete('onchanges');
        found.delete('fail');
      }
      if (found.has('onfail') && found.has('met')) found.delete('onfail'); // a met onfail means a success
    }
    if (kind.endsWith('_all') && found.has('onfail') && found.has('met')) found.delete('met');
    for (const stat of found) stats.add(stat);
  }

  let status: Status = 'met';
  if (stats.has('unmet')) status = 'unmet';
  else if (stats.has('fail')) status = 'fail';
  else if (stats.has('pre')) status = stats.has('premet') ? 'met' : 'pre';
  else if (stats.has('onfail') && !stats.has('onchangesmet')) status = 'onfail';
  else if (stats.has('onchanges') && !stats.has('onchangesmet')) status = 'onchanges';
  else if (stats.has('change')) status = 'change';
  else if (stats.has('onfail')) status = 'onfail';
  return { status, reqs };
}
