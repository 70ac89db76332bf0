import type { Json } from '@saltmq/common';

const isDict = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Salt's traverse_dict_and_list: walks 'a:b:0:c' through dicts and lists. A numeric part indexes a
 * list (negative counts from the end, as in Python); a part that is not a list index is looked up in
 * the dicts inside the list. Anything missing gives the default.
 */
export function traverse(data: unknown, key: string | readonly string[], fallback: unknown, delimiter = ':'): unknown {
  const parts = typeof key === 'string' ? key.split(delimiter) : key;
  let ptr = data;
  for (const part of parts) {
    if (Array.isArray(ptr)) {
      const embedded = ptr.find((x) => isDict(x) && Object.hasOwn(x, part));
      if (embedded !== undefined) {
        ptr = (embedded as Record<string, unknown>)[part];
        continue;
      }
      if (!/^[+-]?\d+$/.test(part.trim())) return fallback;
      const index = Number(part.trim());
      const at = index < 0 ? ptr.length + index : index;
      if (at < 0 || at >= ptr.length) return fallback;
      ptr = ptr[at];
    } else if (isDict(ptr) && Object.hasOwn(ptr, part)) {
      ptr = ptr[part];
    } else {
      return fallback;
    }
  }
  return ptr;
}

/**
 * Salt's dictupdate.update (recursive, lists replaced): dict values merge key by key, anything else
 * overwrites. Mutates and returns `dest`; `upd` is copied so later edits do not alias it.
 */
export function dictUpdate(dest: Record<string, Json>, upd: Record<string, unknown>): Record<string, Json> {
  for (const [key, value] of Object.entries(upd)) {
    const current = dest[key];
    if (isDict(current) && isDict(value)) dictUpdate(current as Record<string, Json>, value);
    else dest[key] = structuredClone(value) as Json;
  }
  return dest;
}

export { isDict };
