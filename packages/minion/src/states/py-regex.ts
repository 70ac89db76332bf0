/**
 * Python `re` patterns run on JavaScript's RegExp, for file.replace / file.append. Salt compiles the
 * pattern as *bytes* and matches the file's bytes, so we do the same: text is handled as latin1
 * strings (one char per byte, see `toBytes`), which gives Python's bytes semantics for `.`, `\w`, `\d`,
 * `\b` and character classes.
 *
 * Translated: `(?P<n>...)`, `(?P=n)`, `(?#...)`, leading global flags `(?imsx)`, `\A`, `\Z`, `\s`/`\S`
 * (ASCII whitespace only), `^`/`$`/`.` under MULTILINE and DOTALL exactly as Python defines them
 * (only '\n' ends a line; `$` also matches before a final newline), `{,n}`, octal escapes, verbose
 * mode. Refused with a clear error: scoped flags `(?i:...)`, conditionals `(?(1)...)`, atomic groups and
 * possessive quantifiers, `\N{...}`/`\u` (invalid in bytes patterns anyway). Known gaps: IGNORECASE
 * also folds latin1 letters (Python bytes patterns fold ASCII only), and JavaScript's lookbehind
 * accepts variable-width patterns that Python would reject.
 */
import { InvocationError } from '@saltmq/common';

/** Python's re flag values, by long and short name (what `flags: [IGNORECASE, MULTILINE]` names). */
const FLAG_VALUES: Record<string, number> = {
  I: 2, IGNORECASE: 2, L: 4, LOCALE: 4, M: 8, MULTILINE: 8, S: 16, DOTALL: 16, U: 32, UNICODE: 32, X: 64, VERBOSE: 64, A: 256, ASCII: 256,
};
const INLINE: Record<string, number> = { i: 2, L: 4, m: 8, s: 16, u: 32, x: 64, a: 256 };
const SPACE = '\\t-\\r ';
const NON_SPACE = '\\x00-\\x08\\x0e-\\x1f\\x21-\\xff';

/** Salt's `_get_flags`: an int, a flag name, or a list of names, OR-ed together. */
export function parseFlags(flags: unknown): number {
  if (typeof flags === 'number' && Number.isInteger(flags)) return flags;
  const list = typeof flags === 'string' ? [flags] : Array.isArray(flags) ? flags : undefined;
  if (!list) throw new InvocationError(`Invalid re flags: "${String(flags)}", must be given either as a single flag string, a list of strings, or as an integer`);
  return list.reduce<number>((acc, flag) => {
    const value = FLAG_VALUES[String(flag).toUpperCase()];
    if (value === undefined) throw new InvocationError(`Invalid re flag given: ${String(flag)}`);
    return acc | value;
  }, 0);
}

/** UTF-8 text as a latin1 string of its bytes; `fromBytes` undoes it. */
export function toBytes(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

export function fromBytes(bytes: string): string {
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

/** Python's re.escape for a literal, in bytes form. */
export function pyEscape(text: string): string {
  return text.replace(/[()[\]{}?*+\-|^$\\.&~# \t\n\r\v\f]/g, (c) => `\\${c}`);
}

function unsupported(what: string): never {
  throw new InvocationError(`Python regex feature not supported by saltmq: ${what}`);
}

/** Python's octal/backreference rule for `\<digits>`: returns [replacement, characters consumed]. */
function digitEscape(p: string, i: number, inClass: boolean): [string, number] {
  const three = /^[0-7]{3}/.exec(p.slice(i));
  if (p[i] === '0') {
    const oct = /^[0-7]{1,3}/.exec(p.slice(i))![0];
    return [`\\x${parseInt(oct, 8).toString(16).padStart(2, '0')}`, oct.length];
  }
  if (three && parseInt(three[0], 8) <= 0o377) return [`\\x${parseInt(three[0], 8).toString(16).padStart(2, '0')}`, 3];
  if (inClass) unsupported('a back reference inside a character class');
  const group = /^\d{1,2}/.exec(p.slice(i))![0];
  return [`(?:\\${group})`, group.length];
}

/** Translates a Python (bytes) pattern to a JavaScript RegExp with the 'g' flag. */
export function compilePy(pattern: string, flags: number): RegExp {
  let p = pattern;
  for (let m = /^\(\?([aiLmsux]+)\)/.exec(p); m; m = /^\(\?([aiLmsux]+)\)/.exec(p)) {
    for (const c of m[1]!) flags |= INLINE[c]!;
    p = p.slice(m[0].length);
  }
  const multiline = (flags & 8) !== 0;
  const dotall = (flags & 16) !== 0;
  const verbose = (flags & 64) !== 0;
  let out = '';
  let inClass = false;
  // Python reads a ']' right after '[' or '[^' as a literal; JavaScript would close the class
  let classEmpty = false;
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (inClass) {
      const first = classEmpty;
      classEmpty = false;
      if (c === ']' && !first) { inClass = false; out += c; continue; }
      if (c === ']') { out += '\\]'; continue; }
      if (c === '\\') {
        const n = p[++i] ?? unsupported('a trailing backslash');
        if (n === 's') out += SPACE;
        else if (n === 'S') out += NON_SPACE;
        else if (/\d/.test(n)) { const [rep, used] = digitEscape(p, i, true); out += rep; i += used - 1; }
        else if (n === 'a') out += '\\x07';
        else if (/[A-Za-z]/.test(n) && !'bdDwWfnrtvx'.includes(n)) unsupported(`the escape \\${n}`);
        else out += `\\${n}`;
        continue;
      }
      out += c === '[' ? '\\[' : c;
      continue;
    }
    if (verbose && /\s/.test(c)) continue;
    if (verbose && c === '#') { while (i < p.length && p[i] !== '\n') i++; continue; }
    if (c === '[') { inClass = true; classEmpty = true; out += c; if (p[i + 1] === '^') { out += '^'; i++; } continue; }
    if (c === '.') { out += dotall ? '[\\s\\S]' : '[^\\n]'; continue; }
    if (c === '^') { out += multiline ? '(?<![^\\n])' : '(?<![\\s\\S])'; continue; }
    if (c === '$') { out += multiline ? '(?=\\n|(?![\\s\\S]))' : '(?=\\n?(?![\\s\\S]))'; continue; }
    if (c === '{' && p[i + 1] === ',' && /^\{,\d+\}/.test(p.slice(i))) { out += '{0'; continue; }
    if (c === '\\') {
      const n = p[++i] ?? unsupported('a trailing backslash');
      if (n === 'A') out += '(?<![\\s\\S])';
      else if (n === 'Z') out += '(?![\\s\\S])';
      else if (n === 's') out += `[${SPACE}]`;
      else if (n === 'S') out += `[${NON_SPACE}]`;
      else if (n === 'a') out += '\\x07';
      else if (/\d/.test(n)) { const [rep, used] = digitEscape(p, i, false); out += rep; i += used - 1; }
      else if (/[A-Za-z]/.test(n) && !'bBdDwWfnrtvx'.includes(n)) unsupported(`the escape \\${n}`);
      else out += `\\${n}`;
      continue;
    }
    if (c === '(' && p[i + 1] === '?') {
      const rest = p.slice(i + 2);
      const named = /^P<([A-Za-z_]\w*)>/.exec(rest);
      const ref = /^P=([A-Za-z_]\w*)\)/.exec(rest);
      if (named) { out += `(?<${named[1]}>`; i += 1 + named[0].length; continue; }
      if (ref) { out += `\\k<${ref[1]}>`; i += 1 + ref[0].length; continue; }
      if (rest.startsWith('#')) { i = p.indexOf(')', i); if (i < 0) unsupported('an unterminated comment'); continue; }
      if (/^[aiLmsux]+\)/.test(rest)) unsupported('global flags that are not at the start of the pattern');
      if (/^[-aiLmsux]+:/.test(rest)) unsupported('scoped inline flags (?flags:...)');
      if (rest.startsWith('(')) unsupported('conditional groups (?(id)yes|no)');
      if (rest.startsWith('>')) unsupported('atomic groups (?>...)');
    }
    if ((c === '+' || c === '*' || c === '?' || c === '}') && p[i + 1] === '+') unsupported('possessive quantifiers');
    out += c;
  }
  try {
    return new RegExp(out, (flags & 2) !== 0 ? 'gi' : 'g');
  } catch (error) {
    throw new InvocationError(`Invalid regular expression ${JSON.stringify(pattern)}: ${(error as Error).message}`);
  }
}

/** Python's re template expansion for a replacement: `\1`, `\g<name>`, `\n` and friends. */
export function expandRepl(repl: string, m: RegExpExecArray): string {
  let out = '';
  const group = (key: string): string => {
    const value = /^\d+$/.test(key) ? m[Number(key)] : m.groups?.[key];
    if (/^\d+$/.test(key) && Number(key) >= m.length) throw new InvocationError(`invalid group reference ${key}`);
    return value ?? '';
  };
  for (let i = 0; i < repl.length; i++) {
    const c = repl[i]!;
    if (c !== '\\' || i + 1 >= repl.length) { out += c; continue; }
    const n = repl[++i]!;
    const esc: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' };
    if (n === 'g') {
      const g = /^<([^>]*)>/.exec(repl.slice(i + 1));
      if (!g) throw new InvocationError('missing group name in replacement');
      out += group(g[1]!);
      i += g[0].length;
    } else if (/[0-7]/.test(n) && (n === '0' || /^[0-7]{3}/.test(repl.slice(i)))) {
      const oct = n === '0' ? /^[0-7]{1,3}/.exec(repl.slice(i))![0] : repl.slice(i, i + 3);
      out += String.fromCharCode(parseInt(oct, 8) & 0xff);
      i += oct.length - 1;
    } else if (/\d/.test(n)) {
      const d = /^\d{1,2}/.exec(repl.slice(i))![0];
      out += group(d);
      i += d.length - 1;
    } else if (n in esc) out += esc[n];
    else if (/[A-Za-z]/.test(n)) throw new InvocationError(`bad escape \\${n} in replacement`);
    else out += `\\${n}`;
  }
  return out;
}

/** re.subn(pattern, repl, text, count): the new text and the number of replacements (count 0 = all). */
export function pySub(re: RegExp, repl: string, text: string, count: number): [string, number] {
  let out = '';
  let last = 0;
  let n = 0;
  re.lastIndex = 0;
  for (let m = re.exec(text); m && (count <= 0 || n < count); m = re.exec(text)) {
    out += text.slice(last, m.index) + expandRepl(repl, m);
    last = m.index + m[0].length;
    n++;
    if (m[0].length === 0) re.lastIndex++;
  }
  return [out + text.slice(last), n];
}

/** re.search: whether the pattern matches anywhere. */
export function pySearch(re: RegExp, text: string): boolean {
  re.lastIndex = 0;
  return re.exec(text) !== null;
}
