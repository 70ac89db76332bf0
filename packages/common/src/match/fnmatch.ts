/**
 * Python's `fnmatch` (POSIX, case-sensitive): `*` matches anything including `/`, `?` one character,
 * `[seq]` and `[!seq]` a class. Salt matches reactor tags, key globs and glob targets with it.
 */
const cache = new Map<string, RegExp>();

export function fnmatchToRegExp(pattern: string): RegExp {
  let cached = cache.get(pattern);
  if (cached) return cached;
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') {
      while (pattern[i + 1] === '*') i++;
      out += '[\\s\\S]*';
    } else if (c === '?') {
      out += '[\\s\\S]';
    } else if (c === '[') {
      const end = classEnd(pattern, i);
      if (end < 0) {
        out += '\\[';
      } else {
        let body = pattern.slice(i + 1, end).replace(/\\/g, '\\\\');
        if (body.startsWith('!')) body = '^' + body.slice(1);
        else if (body.startsWith('^')) body = '\\' + body;
        out += `[${body}]`;
        i = end;
      }
    } else {
      out += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    }
  }
  cached = new RegExp(`^(?:${out})$`, 'u');
  if (cache.size > 5000) cache.clear();
  cache.set(pattern, cached);
  return cached;
}

function classEnd(pattern: string, start: number): number {
  let j = start + 1;
  if (pattern[j] === '!') j++;
  if (pattern[j] === ']') j++;
  while (j < pattern.length && pattern[j] !== ']') j++;
  return j < pattern.length ? j : -1;
}

export function fnmatch(value: string, pattern: string): boolean {
  return fnmatchToRegExp(pattern).test(value);
}

/** Whether a pattern uses any glob syntax; a plain string can be compared directly. */
export function isGlob(pattern: string): boolean {
  return /[*?[]/.test(pattern);
}

const regexCache = new Map<string, RegExp | null>();

/**
 * Salt's `expr_match`: a shell glob first, then a regular expression anchored at both ends; a pattern
 * that is not a valid regular expression simply does not match that way. Used by `state.event
 * tagmatch`, the autosign and autoreject files, and reactor tags in saltmq.
 */
export function exprMatch(value: string, expr: string): boolean {
  if (value === expr || fnmatch(value, expr)) return true;
  let re = regexCache.get(expr);
  if (re === undefined) {
    try {
      re = new RegExp(`^(?:${expr})$`);
    } catch {
      re = null;
    }
    if (regexCache.size > 5000) regexCache.clear();
    regexCache.set(expr, re);
  }
  return re !== null && re.test(value);
}
