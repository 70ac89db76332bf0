import { InvocationError } from '@saltmq/common';

const WHITESPACE = ' \t\r\n';

/**
 * Python's `shlex.split(s)` (POSIX mode, no comments), which Salt applies to a command string when
 * python_shell is false: quotes group words, a backslash escapes outside single quotes, and inside
 * double quotes it escapes only `"` and `\`. Unbalanced input raises, as Python's ValueError does.
 */
export function shlexSplit(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && i + 1 < text.length && (text[i + 1] === '"' || text[i + 1] === '\\')) word += text[++i];
      else word += c;
    } else if (WHITESPACE.includes(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      inWord = true;
      if (c === "'" || c === '"') quote = c;
      else if (c === '\\') {
        if (i + 1 >= text.length) throw new InvocationError('No escaped character');
        word += text[++i];
      } else word += c;
    }
  }
  if (quote) throw new InvocationError('No closing quotation');
  if (inWord) words.push(word);
  return words;
}

/** Python's `shlex.quote`: safe words stay bare, anything else is single-quoted. */
export function shlexQuote(word: string): string {
  if (word === '') return "''";
  if (/^[\w@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'"'"'`)}'`;
}

/** Python's repr of a list of strings, which Salt prints in its timeout message for argv commands. */
export function pyListRepr(items: readonly string[]): string {
  return `[${items.map(pyStrRepr).join(', ')}]`;
}

function pyStrRepr(text: string): string {
  const q = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\' || ch === q) out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return q + out + q;
}
