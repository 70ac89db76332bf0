/**
 * Salt's `order_chunks` and the `state_auto_order` numbering for high data that did not come through
 * buildHighState.
 */
import type { Chunk, HighData } from './types.js';
import { handleIorder } from './decls.js';

/** A chunk before ordering: `order` may still be absent, `first`, `last` or any YAML value. */
export type RawChunk = Omit<Chunk, 'order'> & { order?: unknown; name_order?: number };

/**
 * Gives every chunk a numeric `order` and sorts by (order, state+name+fun). Chunks without an order
 * get `cap`: 1, or the largest positive integer order plus 100. `first` is 0, `last` is cap+1000000,
 * a negative order counts back from `last`, and `names:` entries keep their list order through a
 * fractional `name_order` (which Salt only applies when the chunk has an explicit order).
 */
export function orderChunks(chunks: RawChunk[]): Chunk[] {
  let cap = 1;
  for (const chunk of chunks) {
    const order = chunk.order;
    if (typeof order === 'number' && Number.isInteger(order) && order > cap - 1 && order > 0) cap = order + 100;
  }
  for (const chunk of chunks) {
    if (!('order' in chunk)) {
      chunk.order = cap;
      continue;
    }
    if (typeof chunk.order !== 'number') {
      chunk.order = chunk.order === 'last' ? cap + 1000000 : chunk.order === 'first' ? 0 : cap;
    }
    if (typeof chunk.name_order === 'number') {
      chunk.order = (chunk.order as number) + chunk.name_order / 10000;
      delete chunk.name_order;
    }
    if ((chunk.order as number) < 0) chunk.order = cap + 1000000 + (chunk.order as number);
  }
  const ordered = chunks as Chunk[];
  const key = (c: Chunk) => `${c.state}${c.name}${c.fun}`;
  // Python compares the tuples; plain `<` on strings matches Python except beyond the BMP.
  return ordered.sort((a, b) => a.order - b.order || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/**
 * Numbers state declarations that have no `order` from 10000 up in key order, as Salt's
 * `state_auto_order` does at render time. High data from buildHighState is already numbered (in
 * render order, includes first), so this changes nothing there.
 */
export function applyAutoOrder(high: HighData): void {
  handleIorder(high, { next: 10000 });
}
