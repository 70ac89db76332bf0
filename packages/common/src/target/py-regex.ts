/**
 * Python `re` patterns run on JavaScript's engine. Salt's pcre targets are Python regular
 * expressions, so the spellings JavaScript lacks are rewritten: `(?P<name>…)`, `(?P=name)`, `\A`,
 * `\Z`, leading inline flags such as `(?i)`, and Python's `$`, which also matches before one final
 * newline. Everything else is passed through; constructs JavaScript cannot express (possessive
 * quantifiers, `(?x)`) fail to compile, and the caller reports them.
 */
const cache = new Map<string, RegExp | null>();

/** Compiles a Python pattern for `re.match` semantics (anchored at the start only); undefined if invalid. */
export function pyRegex(pattern: string, ignoreCase = false): RegExp | undefined {
  const key = `${ignoreCase ? 'i' : '-'}${pattern}`;
  let re = cache.get(key);
  if (re === undefined) {
    try {
      const { source, flags } = translate(pattern);
      // The sticky flag anchors the match at lastIndex 0, like re.match, even under (?m).
      re = new RegExp(source, `${flags}${ignoreCase && !flags.includes('i') ? 'i' : ''}y`);
    } catch {
      re = null;
    }
    if (cache.size > 5000) cache.clear();
    cache.set(key, re);
  }
  return re ?? undefined;
}

/** Python's `re.match(pattern, value)` as a boolean; an invalid pattern matches nothing, as in Salt. */
export function pyMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const re = pyRegex(pattern, ignoreCase);
  if (re === undefined) return false;
  re.lastIndex = 0;
  return re.test(value);
}

function translate(pattern: string): { source: string; flags: string } {
  let flags = '';
  let i = 0;
  // Python 3.11 only accepts global flags at the very start of the pattern.
  for (let m = /^\(\?([aiLmsux]+)\)/.exec(pattern); m; m = /^\(\?([aiLmsux]+)\)/.exec(pattern.slice(i))) {
    for (const f of m[1]!) {
      if (f === 'x') throw new SyntaxError('verbose (?x) patterns are not supported');
      if ('ims'.includes(f) && !flags.includes(f)) flags += f;
    }
    i += m[0].length;
  }
  const multiline = flags.includes('m');
  let out = '';
  let inClass = false;
  for (; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      if (!inClass && next === 'A') out += '(?<![\\s\\S])';
      else if (!inClass && next === 'Z') out += '(?![\\s\\S])';
      else out += c + next;
      i++;
    } else if (inClass) {
      out += c;
      if (c === ']') inClass = false;
    } else if (c === '[') {
      inClass = true;
      out += c;
      if (pattern[i + 1] === '^') out += pattern[++i];
      // Python reads a `]` first in a class as a literal; JavaScript would read `[]` as an empty class.
      if (pattern[i + 1] === ']') {
        out += '\\]';
        i++;
      }
    } else if (pattern.startsWith('(?P<', i)) {
      out += '(?<';
      i += 3;
    } else if (pattern.startsWith('(?P=', i)) {
      const end = pattern.indexOf(')', i);
      if (end < 0) throw new SyntaxError('unterminated (?P= backreference');
      out += `\\k<${pattern.slice(i + 4, end)}>`;
      i = end;
    } else if (c === '$' && !multiline) {
      out += '(?=\\n?(?![\\s\\S]))';
    } else {
      out += c;
    }
  }
  return { source: out, flags };
}
