/**
 * The reactor's compiler (salt/utils/reactor.py `Reactor.reactions` on top of `state.Compiler`):
 * rendered reaction files become chunks with no auto-order and no requisites. `local.state.single`
 * splits at the first dot into state `local`, fun `state.single`; the legacy `cmd` becomes `local`.
 */
import type { CompileResult, HighData } from './types.js';
import { lowChunks } from './compile.js';
import { orderChunks } from './order.js';
import { isRecord, truthy } from './py.js';
import { verifyHigh } from './verify.js';

const ALIASES: Readonly<Record<string, string>> = { cmd: 'local' };

/**
 * Compiles the rendered reaction files for one event, in reactor-map order. Each ID gets
 * `__sls__` = the file path, and a later file's duplicate ID replaces the earlier one. A file that
 * cannot be used is skipped with an error (Salt logs it and runs the others); a structural error in
 * the merged data yields no chunks at all, as in Salt.
 */
export function compileReactions(files: ReadonlyArray<{ path: string; data: unknown }>): CompileResult {
  const high: HighData = {};
  const errors: string[] = [];
  for (const { path, data } of files) {
    if (!truthy(data)) continue; // an empty render gives no reactions
    if (!isRecord(data)) {
      errors.push(`Failed to render "${path}": it does not render to a dictionary`);
      continue;
    }
    const res = padFuncs(structuredClone(data));
    const bad = Object.keys(res).find((id) => !isRecord(res[id]));
    if (bad !== undefined) {
      errors.push(`Failed to render "${path}": ID ${bad} is not a dictionary`);
      continue;
    }
    for (const body of Object.values(res)) (body as Record<string, unknown>).__sls__ = path;
    Object.assign(high, res);
  }
  if (Object.keys(high).length === 0) return { chunks: [], errors };
  const invalid = verifyHigh(high);
  if (invalid.length > 0) return { chunks: [], errors: [...errors, ...invalid] };
  const chunks = orderChunks(lowChunks(high));
  for (const chunk of chunks) chunk.state = ALIASES[chunk.state] ?? chunk.state;
  return { chunks, errors };
}

/** Salt's `Compiler.pad_funcs`: dotted keys and short strings split at the first dot. */
export function padFuncs(high: HighData): HighData {
  for (const [id, body] of Object.entries(high)) {
    if (!isRecord(body)) {
      if (typeof body === 'string' && body.includes('.')) {
        const dot = body.indexOf('.');
        high[id] = { [body.slice(0, dot)]: [body.slice(dot + 1)] };
      }
      continue;
    }
    const seen = new Set<string>();
    for (const key of Object.keys(body).sort()) {
      const run = body[key];
      if (key.startsWith('_') || !Array.isArray(run)) continue;
      if (key.includes('.')) {
        const dot = key.indexOf('.');
        const mod = key.slice(0, dot);
        // A second declaration of the same module is left alone, as Salt leaves it.
        if (seen.has(mod)) continue;
        delete body[key];
        run.push(key.slice(dot + 1));
        body[mod] = run;
        seen.add(mod);
        continue;
      }
      seen.add(key);
    }
  }
  return high;
}
