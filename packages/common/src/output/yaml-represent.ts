/**
 * PyYAML's SafeRepresenter for JSON-shaped data: the node tree `py-yaml.ts` writes. Dicts are sorted by
 * key (PyYAML's `sort_keys=True` default), and floats are written as Python's `repr`.
 */
import { isDict, pyCompare, pyFloatRepr, pyNumberRepr } from './py-text.js';

export type Node =
  | { kind: 'scalar'; tag: string; value: string }
  | { kind: 'seq'; items: Node[] }
  | { kind: 'map'; entries: [Node, Node][] };

/** SafeRepresenter: dicts sorted by key, floats as `repr` with a `.0` forced before any exponent. */
export function represent(v: unknown): Node {
  if (v === null || v === undefined) return { kind: 'scalar', tag: 'null', value: 'null' };
  if (typeof v === 'boolean') return { kind: 'scalar', tag: 'bool', value: v ? 'true' : 'false' };
  if (typeof v === 'bigint') return { kind: 'scalar', tag: 'int', value: v.toString() };
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v)) return { kind: 'scalar', tag: 'int', value: pyNumberRepr(v) };
    if (Number.isNaN(v)) return { kind: 'scalar', tag: 'float', value: '.nan' };
    if (!Number.isFinite(v)) return { kind: 'scalar', tag: 'float', value: v > 0 ? '.inf' : '-.inf' };
    const repr = pyFloatRepr(v).toLowerCase();
    return { kind: 'scalar', tag: 'float', value: !repr.includes('.') && repr.includes('e') ? repr.replace('e', '.0e') : repr };
  }
  if (Array.isArray(v)) return { kind: 'seq', items: v.map(represent) };
  if (isDict(v)) {
    const keys = Object.keys(v).filter((k) => v[k] !== undefined).sort(pyCompare);
    return { kind: 'map', entries: keys.map((k) => [represent(k), represent(v[k])]) };
  }
  return { kind: 'scalar', tag: 'str', value: Buffer.isBuffer(v) ? v.toString('utf8') : String(v) };
}
