/**
 * Python `re` patterns and replacement templates, translated for JavaScript's RegExp. Salt's
 * `regex_match`/`regex_search`/`regex_replace` filters and `is match` test take Python syntax:
 * `(?P<name>...)`, `(?P=name)`, `\A`, `\Z`, leading inline flags like `(?i)`, and `\1`/`\g<name>` in
 * replacements. Compiled patterns are cached because templates re-render for every event.
 */
import { PythonError } from './values.js';

export interface PyRegexOptions {
  ignorecase?: boolean;
  multiline?: boolean;
  /** re.match: anchored at the start (sticky) rather than searching. */
  anchored?: boolean;
  global?: boolean;
}

const CACHE = new Map<string, RegExp>();
const CACHE_LIMIT = 512;

export function pyRegex(pattern: string, options: PyRegexOptions = {}): RegExp {
  const key = `${options.ignorecase ? 'i' : ''}${options.multiline ? 'm' : ''}${options.anchored ? 'y' : ''}${options.global ? 'g' : ''}/${pattern}`;
  const cached = CACHE.get(key);
  if (cached !== undefined) {
    cached.lastIndex = 0;
    return cached;
  }
  let source = pattern;
  let flags = 'u';
  const inline = /^\(\?([aiLmsux]+)\)/.exec(source);
  if (inline) {
    source = source.slice(inline[0].length);
    for (const f of inline[1] ?? '') {
      if (f === 'i' || f === 'm' || f === 's') flags += f;
      else if (f === 'x') throw new PythonError('error', 'verbose patterns (?x) are not supported');
    }
  }
  if (options.ignorecase && !flags.includes('i')) flags += 'i';
  if (options.multiline && !flags.includes('m')) flags += 'm';
  if (options.anchored) flags += 'y';
  if (options.global) flags += 'g';
  source = source
    .replace(/\(\?P<([A-Za-z_]\w*)>/g, '(?<$1>')
    .replace(/\(\?P=([A-Za-z_]\w*)\)/g, '\\k<$1>')
    .replace(/(^|[^\\])((?:\\\\)*)\\A/g, '$1$2(?<![\\s\\S])')
    .replace(/(^|[^\\])((?:\\\\)*)\\Z/g, '$1$2(?![\\s\\S])');
  let re: RegExp;
  try {
    re = new RegExp(source, flags);
  } catch {
    // Python accepts escapes that unicode-mode JavaScript rejects (e.g. `\-` outside a class); retry without 'u'.
    try {
      re = new RegExp(source, flags.replace('u', ''));
    } catch (error) {
      throw new PythonError('re.error', `bad regular expression ${JSON.stringify(pattern)}: ${(error as Error).message}`);
    }
  }
  if (CACHE.size >= CACHE_LIMIT) CACHE.delete(CACHE.keys().next().value as string);
  CACHE.set(key, re);
  return re;
}

/** Python's `m.groups()`: every group, None for those that did not take part. */
export function groupsOf(match: RegExpExecArray): (string | null)[] {
  return match.slice(1).map((g) => g ?? null);
}

/** `re.sub(pattern, repl, text)`: `\1`, `\g<1>`, `\g<name>` and `\\` in `repl` as Python reads them. */
export function pySub(text: string, re: RegExp, replacement: string): string {
  return text.replace(re, (...args: unknown[]) => {
    const hasNamed = typeof args[args.length - 1] === 'object';
    const named = (hasNamed ? args[args.length - 1] : undefined) as Record<string, string | undefined> | undefined;
    const groups = args.slice(1, hasNamed ? -3 : -2) as (string | undefined)[];
    return replacement.replace(/\\(?:g<([^>]+)>|(\d{1,2})|(.))/gs, (_m, ref: string | undefined, num: string | undefined, ch: string | undefined) => {
      const name = ref ?? num;
      if (name !== undefined) {
        if (/^\d+$/.test(name)) return Number(name) === 0 ? String(args[0]) : groups[Number(name) - 1] ?? '';
        if (named === undefined || !(name in named)) throw new PythonError('IndexError', `unknown group name '${name}'`);
        return named[name] ?? '';
      }
      const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\' };
      return escapes[ch as string] ?? `\\${ch}`;
    });
  });
}
