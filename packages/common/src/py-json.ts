/**
 * Python's `json.dumps` as Salt prints it: separators `", "` and `": "` on one line, `","` and `": "`
 * when indented, optional sorted keys, non-ASCII left raw (`ensure_ascii=False`). `state.event` and
 * `--out json` print through this, so a user's `while read -r tag data` scripts see Salt's bytes.
 */
export interface PyJsonOptions {
  indent?: number | undefined;
  sortKeys?: boolean | undefined;
}

export function pyJsonDumps(value: unknown, options: PyJsonOptions = {}): string {
  const indent = options.indent;
  const sortKeys = options.sortKeys ?? false;
  const render = (v: unknown, depth: number): string => {
    if (v === null || v === undefined) return 'null';
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    if (typeof v === 'number') return Number.isFinite(v) ? String(v) : v > 0 ? 'Infinity' : v < 0 ? '-Infinity' : 'NaN';
    if (typeof v === 'bigint') return v.toString();
    if (typeof v === 'string') return JSON.stringify(v);
    if (v instanceof Date) return JSON.stringify(v.toISOString());
    if (Buffer.isBuffer(v)) return JSON.stringify(v.toString('utf8'));
    const open = indent === undefined ? '' : '\n' + ' '.repeat(indent * (depth + 1));
    const close = indent === undefined ? '' : '\n' + ' '.repeat(indent * depth);
    const sep = indent === undefined ? ', ' : ',';
    if (Array.isArray(v)) {
      if (v.length === 0) return '[]';
      return '[' + open + v.map((item) => render(item, depth + 1)).join(sep + open) + close + ']';
    }
    const entries = Object.entries(v as Record<string, unknown>).filter(([, item]) => item !== undefined);
    if (entries.length === 0) return '{}';
    if (sortKeys) entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return '{' + open + entries.map(([k, item]) => JSON.stringify(k) + ': ' + render(item, depth + 1)).join(sep + open) + close + '}';
  };
  return render(value, 0);
}
