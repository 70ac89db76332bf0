/**
 * Python's `textwrap.fill` with its defaults (break_long_words, break_on_hyphens, drop_whitespace), which
 * the highstate outputter uses to wrap state warnings at 80 columns. Newlines and tabs become spaces
 * first, so separate warnings run together into one paragraph, as they do in Salt.
 */

const WS = '[\\t\\n\\x0b\\x0c\\r ]';
const NWS = '[^\\t\\n\\x0b\\x0c\\r ]';
const WORD_PUNCT = `[\\p{L}\\p{N}_!"'&.,?]`;
const LETTER = '[\\p{L}_]';

/** CPython's `TextWrapper.wordsep_re`: whitespace runs, em-dashes, and words split after inner hyphens. */
const WORDSEP = new RegExp(
  `(${WS}+` +
    `|(?<=${WORD_PUNCT})-{2,}(?=[\\p{L}\\p{N}_])` +
    `|${NWS}+?(?:-(?:(?<=${LETTER}{2}-)|(?<=${LETTER}-${LETTER}-))(?=${LETTER}-?${LETTER})` +
    `|(?=${WS}|$)` +
    `|(?<=${WORD_PUNCT})(?=-{2,}[\\p{L}\\p{N}_])))`,
  'u',
);

const len = (s: string): number => Array.from(s).length;

function split(text: string): string[] {
  const munged = expandTabs(text).replace(/[\t\n\x0b\x0c\r]/g, ' ');
  return munged.split(WORDSEP).filter((chunk) => chunk !== undefined && chunk !== '');
}

/** `str.expandtabs(8)`: columns restart after each newline. */
function expandTabs(text: string): string {
  let col = 0;
  let out = '';
  for (const ch of text) {
    if (ch === '\t') {
      const n = 8 - (col % 8);
      out += ' '.repeat(n);
      col += n;
    } else {
      out += ch;
      col = ch === '\n' || ch === '\r' ? 0 : col + 1;
    }
  }
  return out;
}

export interface FillOptions {
  width?: number;
  initialIndent?: string;
  subsequentIndent?: string;
}

/** `textwrap.fill(text, width, initial_indent, subsequent_indent)`. */
export function pyFill(text: string, options: FillOptions = {}): string {
  const { width: total = 70, initialIndent = '', subsequentIndent = '' } = options;
  const chunks = split(text).reverse();
  const lines: string[] = [];
  while (chunks.length > 0) {
    const indent = lines.length > 0 ? subsequentIndent : initialIndent;
    const width = total - len(indent);
    if (chunks[chunks.length - 1]!.trim() === '' && lines.length > 0) chunks.pop();
    const line: string[] = [];
    let used = 0;
    while (chunks.length > 0 && used + len(chunks[chunks.length - 1]!) <= width) {
      const chunk = chunks.pop()!;
      line.push(chunk);
      used += len(chunk);
    }
    if (chunks.length > 0 && len(chunks[chunks.length - 1]!) > width) {
      breakLongWord(chunks, line, used, width);
    }
    if (line.length > 0 && line[line.length - 1]!.trim() === '') line.pop();
    if (line.length > 0) lines.push(indent + line.join(''));
  }
  return lines.join('\n');
}

/** `_handle_long_word`: cut the word to fit, preferring the last hyphen that leaves something before it. */
function breakLongWord(chunks: string[], line: string[], used: number, width: number): void {
  const spaceLeft = width < 1 ? 1 : width - used;
  const chars = Array.from(chunks[chunks.length - 1]!);
  let end = spaceLeft;
  if (chars.length > spaceLeft) {
    const hyphen = chars.slice(0, spaceLeft).lastIndexOf('-');
    if (hyphen > 0 && chars.slice(0, hyphen).some((ch) => ch !== '-')) end = hyphen + 1;
  }
  line.push(chars.slice(0, end).join(''));
  chunks[chunks.length - 1] = chars.slice(end).join('');
}
