/**
 * Python list and dict methods, negative indexes and slices for Jinja templates. Salt templates mutate
 * through these (`{% do targets.append(id) %}`, `{% do defaults.update(pillar) %}`) and read with
 * `data.get('k', {})`, `d.items()`, `parts[-1]`, `name[1:]`.
 */
import { PythonError, bindArgs, isDict, pyCompare, pyEq, pyIter, pyRepr, splitArgs, type Dict } from './values.js';

// Undo log for the suspend-and-replay render (salt-calls.ts): a pass that stops to await a salt
// function is rendered again, so list and dict changes it made must be undone first, or
// `{% do seen.append(x) %}` would run once per pass. Each container is snapshotted once per pass.
let journal: Map<object, () => void> | undefined;

/** Starts recording undo steps; returns the function that ends recording, undoing the changes if asked. */
export function recordMutations(): (undo: boolean) => void {
  const saved = journal;
  const mine = new Map<object, () => void>();
  journal = mine;
  return (undo) => {
    journal = saved;
    if (undo) for (const restore of [...mine.values()].reverse()) restore();
  };
}

export function remember(container: unknown[] | Dict): void {
  if (journal === undefined || journal.has(container)) return;
  if (Array.isArray(container)) {
    const copy = [...container];
    journal.set(container, () => void container.splice(0, container.length, ...copy));
  } else {
    const copy = { ...container };
    journal.set(container, () => {
      for (const k of Object.keys(container)) delete container[k];
      Object.assign(container, copy);
    });
  }
}

type ListMethod = (self: unknown[], ...args: unknown[]) => unknown;
type DictMethod = (self: Dict, ...args: unknown[]) => unknown;

function has(obj: object, key: PropertyKey): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

/** `list[i]` / `str[i]` with Python's negative indexes; undefined when out of range (Jinja's Undefined). */
export function indexOf(length: number, key: unknown): number | undefined {
  if (typeof key !== 'number' || !Number.isInteger(key)) return undefined;
  const i = key < 0 ? length + key : key;
  return i >= 0 && i < length ? i : undefined;
}

/** `x[start:stop:step]` on a list or string, with Python's clamping rules. */
export function pySlice(value: unknown, start: unknown, stop: unknown, step: unknown): unknown {
  const seq = typeof value === 'string' ? [...value] : Array.isArray(value) ? value : undefined;
  if (seq === undefined) {
    if (value === undefined || value === null) return value;
    throw new PythonError('TypeError', `${pyRepr(value)} is not subscriptable with a slice`);
  }
  const by = step === undefined || step === null ? 1 : Number(step);
  if (by === 0) throw new PythonError('ValueError', 'slice step cannot be zero');
  const len = seq.length;
  const norm = (v: unknown, dflt: number, lo: number, hi: number) => {
    if (v === undefined || v === null) return dflt;
    let n = Math.trunc(Number(v));
    if (n < 0) n += len;
    return Math.min(Math.max(n, lo), hi);
  };
  const out: unknown[] = [];
  if (by > 0) {
    const a = norm(start, 0, 0, len);
    const b = norm(stop, len, 0, len);
    for (let i = a; i < b; i += by) out.push(seq[i]);
  } else {
    const a = norm(start, len - 1, -1, len - 1);
    const b = norm(stop, -1, -1, len - 1);
    for (let i = a; i > b; i += by) out.push(seq[i]);
  }
  return typeof value === 'string' ? out.join('') : out;
}

function listIndex(self: unknown[], item: unknown): number {
  const i = self.findIndex((x) => pyEq(x, item));
  if (i < 0) throw new PythonError('ValueError', `${pyRepr(item)} is not in list`);
  return i;
}

export const LIST_METHODS: Readonly<Record<string, ListMethod>> = {
  append: (self, item) => {
    remember(self);
    self.push(item);
    return null;
  },
  extend: (self, items) => {
    remember(self);
    self.push(...pyIter(items));
    return null;
  },
  insert: (self, at, item) => {
    remember(self);
    const n = Math.trunc(Number(at));
    self.splice(n < 0 ? Math.max(self.length + n, 0) : n, 0, item);
    return null;
  },
  pop: (self, at) => {
    remember(self);
    if (self.length === 0) throw new PythonError('IndexError', 'pop from empty list');
    const i = at === undefined ? self.length - 1 : indexOf(self.length, at);
    if (i === undefined) throw new PythonError('IndexError', 'pop index out of range');
    return self.splice(i, 1)[0];
  },
  remove: (self, item) => {
    remember(self);
    self.splice(listIndex(self, item), 1);
    return null;
  },
  index: (self, item) => listIndex(self, item),
  count: (self, item) => self.filter((x) => pyEq(x, item)).length,
  reverse: (self) => {
    remember(self);
    self.reverse();
    return null;
  },
  sort: (self, ...args) => {
    remember(self);
    const [, reverse] = bindArgs(args, ['key', 'reverse']);
    self.sort(pyCompare);
    if (reverse === true) self.reverse();
    return null;
  },
  copy: (self) => [...self],
  clear: (self) => {
    remember(self);
    self.splice(0);
    return null;
  },
};

function items(self: Dict): unknown[][] {
  return Object.entries(self);
}

export const DICT_METHODS: Readonly<Record<string, DictMethod>> = {
  // Python's default for a missing key is None, which prints as 'None'.
  get: (self, key, dflt) => (has(self, String(key)) ? self[String(key)] : dflt === undefined ? null : dflt),
  items,
  iteritems: items,
  keys: (self) => Object.keys(self),
  iterkeys: (self) => Object.keys(self),
  values: (self) => Object.values(self),
  itervalues: (self) => Object.values(self),
  has_key: (self, key) => has(self, String(key)),
  update: (self, ...args) => {
    remember(self);
    const { positional, kwargs } = splitArgs(args);
    const other = positional[0];
    if (isDict(other)) Object.assign(self, other);
    else if (Array.isArray(other)) for (const pair of other) if (Array.isArray(pair)) self[String(pair[0])] = pair[1];
    else if (other !== undefined && other !== null) throw new PythonError('TypeError', `cannot update a dict with ${pyRepr(other)}`);
    if (kwargs) Object.assign(self, kwargs);
    return null;
  },
  setdefault: (self, key, dflt) => {
    remember(self);
    const k = String(key);
    if (!has(self, k)) self[k] = dflt === undefined ? null : dflt;
    return self[k];
  },
  pop: (self, key, ...rest) => {
    remember(self);
    const k = String(key);
    if (has(self, k)) {
      const value = self[k];
      delete self[k];
      return value;
    }
    if (rest.length > 0) return rest[0];
    throw new PythonError('KeyError', pyRepr(k));
  },
  popitem: (self) => {
    remember(self);
    const keys = Object.keys(self);
    const last = keys[keys.length - 1];
    if (last === undefined) throw new PythonError('KeyError', "'popitem(): dictionary is empty'");
    const value = self[last];
    delete self[last];
    return [last, value];
  },
  copy: (self) => ({ ...self }),
  clear: (self) => {
    remember(self);
    for (const k of Object.keys(self)) delete self[k];
    return null;
  },
};
