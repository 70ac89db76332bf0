/**
 * The diffs Salt puts in `changes['diff']`: Python's difflib.unified_diff over the two files' lines
 * (salt.utils.stringutils.get_diff), with no file names, so the header is `--- \n+++ \n`. Lines are
 * paired by a port of difflib's SequenceMatcher (longest matching block first, autojunk on), not by
 * a Myers diff: on files with repeated lines ('}', blank lines) the two pick different but equally
 * valid pairings, and Salt users compare these diffs with Salt's, so the text is kept byte-for-byte.
 */

type Tag = 'equal' | 'replace' | 'delete' | 'insert';
type Opcode = [Tag, number, number, number, number];

/** Python's bytes.readlines() then decode: split after every '\n', keeping it. */
export function readLines(text: string): string[] {
  const lines = text.split(/(?<=\n)/);
  return lines.length === 1 && lines[0] === '' ? [] : lines;
}

/** Python's str.splitlines() (no line ends kept), with every separator Python recognises. */
export function pySplitLines(text: string): string[] {
  const lines = text.split(/\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** difflib.SequenceMatcher(None, a, b).get_matching_blocks(), sentinel included. */
function matchingBlocks(a: string[], b: string[]): Array<[number, number, number]> {
  const b2j = new Map<string, number[]>();
  b.forEach((line, j) => (b2j.get(line) ?? b2j.set(line, []).get(line)!).push(j));
  // autojunk: in long files, lines more frequent than 1% are not used to anchor matches
  if (b.length >= 200) {
    const ntest = Math.floor(b.length / 100) + 1;
    for (const [line, idxs] of [...b2j]) if (idxs.length > ntest) b2j.delete(line);
  }
  const longest = (alo: number, ahi: number, blo: number, bhi: number): [number, number, number] => {
    let [besti, bestj, bestsize] = [alo, blo, 0];
    let j2len = new Map<number, number>();
    for (let i = alo; i < ahi; i++) {
      const next = new Map<number, number>();
      for (const j of b2j.get(a[i]!) ?? []) {
        if (j < blo) continue;
        if (j >= bhi) break;
        const k = (j2len.get(j - 1) ?? 0) + 1;
        next.set(j, k);
        if (k > bestsize) [besti, bestj, bestsize] = [i - k + 1, j - k + 1, k];
      }
      j2len = next;
    }
    // popular lines are not in b2j: extend the match over equal neighbours
    while (besti > alo && bestj > blo && a[besti - 1] === b[bestj - 1]) [besti, bestj, bestsize] = [besti - 1, bestj - 1, bestsize + 1];
    while (besti + bestsize < ahi && bestj + bestsize < bhi && a[besti + bestsize] === b[bestj + bestsize]) bestsize++;
    return [besti, bestj, bestsize];
  };
  const blocks: Array<[number, number, number]> = [];
  const queue: Array<[number, number, number, number]> = [[0, a.length, 0, b.length]];
  while (queue.length > 0) {
    const [alo, ahi, blo, bhi] = queue.pop()!;
    const [i, j, k] = longest(alo, ahi, blo, bhi);
    if (k === 0) continue;
    blocks.push([i, j, k]);
    if (alo < i && blo < j) queue.push([alo, i, blo, j]);
    if (i + k < ahi && j + k < bhi) queue.push([i + k, ahi, j + k, bhi]);
  }
  blocks.sort((x, y) => x[0] - y[0] || x[1] - y[1] || x[2] - y[2]);
  const merged: Array<[number, number, number]> = [];
  let [i1, j1, k1] = [0, 0, 0];
  for (const [i2, j2, k2] of blocks) {
    if (i1 + k1 === i2 && j1 + k1 === j2) k1 += k2;
    else {
      if (k1) merged.push([i1, j1, k1]);
      [i1, j1, k1] = [i2, j2, k2];
    }
  }
  if (k1) merged.push([i1, j1, k1]);
  merged.push([a.length, b.length, 0]);
  return merged;
}

// difflib.SequenceMatcher.get_opcodes
function opcodes(a: string[], b: string[]): Opcode[] {
  const codes: Opcode[] = [];
  let [i, j] = [0, 0];
  for (const [ai, bj, size] of matchingBlocks(a, b)) {
    const tag = i < ai && j < bj ? 'replace' : i < ai ? 'delete' : j < bj ? 'insert' : undefined;
    if (tag) codes.push([tag, i, ai, j, bj]);
    [i, j] = [ai + size, bj + size];
    if (size) codes.push(['equal', ai, i, bj, j]);
  }
  return codes;
}

// difflib.SequenceMatcher.get_grouped_opcodes
function grouped(codes: Opcode[], n: number): Opcode[][] {
  if (codes.length === 0) codes = [['equal', 0, 1, 0, 1]];
  const first = codes[0]!;
  if (first[0] === 'equal') codes[0] = ['equal', Math.max(first[1], first[2] - n), first[2], Math.max(first[3], first[4] - n), first[4]];
  const lastCode = codes[codes.length - 1]!;
  if (lastCode[0] === 'equal') {
    codes[codes.length - 1] = ['equal', lastCode[1], Math.min(lastCode[2], lastCode[1] + n), lastCode[3], Math.min(lastCode[4], lastCode[3] + n)];
  }
  const groups: Opcode[][] = [];
  let group: Opcode[] = [];
  for (const code of codes) {
    let [tag, i1, i2, j1, j2] = code;
    if (tag === 'equal' && i2 - i1 > n * 2) {
      group.push([tag, i1, Math.min(i2, i1 + n), j1, Math.min(j2, j1 + n)]);
      groups.push(group);
      group = [];
      i1 = Math.max(i1, i2 - n);
      j1 = Math.max(j1, j2 - n);
    }
    group.push([tag, i1, i2, j1, j2]);
  }
  if (group.length > 0 && !(group.length === 1 && group[0]![0] === 'equal')) groups.push(group);
  return groups;
}

// difflib._format_range_unified
function range(start: number, stop: number): string {
  let beginning = start + 1;
  const length = stop - start;
  if (length === 1) return `${beginning}`;
  if (length === 0) beginning -= 1;
  return `${beginning},${length}`;
}

/**
 * difflib.unified_diff(a, b) with empty file names: the pieces difflib yields, each ending in
 * `lineterm` ('\n') except the content lines, which carry their own line ends (if any).
 */
export function unifiedDiff(a: string[], b: string[], n = 3): string[] {
  const out: string[] = [];
  for (const group of grouped(opcodes(a, b), n)) {
    if (out.length === 0) out.push('--- \n', '+++ \n');
    const first = group[0]!;
    const last = group[group.length - 1]!;
    out.push(`@@ -${range(first[1], last[2])} +${range(first[3], last[4])} @@\n`);
    for (const [tag, i1, i2, j1, j2] of group) {
      if (tag === 'equal') {
        for (const line of a.slice(i1, i2)) out.push(` ${line}`);
        continue;
      }
      if (tag === 'replace' || tag === 'delete') for (const line of a.slice(i1, i2)) out.push(`-${line}`);
      if (tag === 'replace' || tag === 'insert') for (const line of b.slice(j1, j2)) out.push(`+${line}`);
    }
  }
  return out;
}

/** Salt's files.is_text on a file's first 512 bytes: no NUL, valid UTF-8 or at most 30% non-text bytes. */
export function isText(data: Uint8Array): boolean {
  const block = data.subarray(0, 512);
  if (block.includes(0)) return false;
  if (block.length === 0) return true;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(block);
    return true;
  } catch {
    // not UTF-8: fall back to counting bytes outside printable ASCII and \n\r\t\f\b
  }
  let nontext = 0;
  for (const byte of block) if (!((byte >= 32 && byte < 127) || [10, 13, 9, 12, 8].includes(byte))) nontext++;
  return nontext / block.length <= 0.3;
}

/** Salt's `_binary_replace`: the message for a change involving a binary file, '' for two text files. */
export function binaryReplace(oldData: Uint8Array, newData: Uint8Array): string {
  const oldBin = !isText(oldData);
  const newBin = !isText(newData);
  if (oldBin && newBin) return 'Replace binary file';
  if (oldBin) return 'Replace binary file with text file';
  if (newBin) return 'Replace text file with binary file';
  return '';
}

/** Salt's file.get_diff(show_filenames=False): '' when equal, a binary notice, or the unified diff. */
export function getDiff(oldData: Uint8Array, newData: Uint8Array, showChanges = true): string {
  if (Buffer.compare(oldData, newData) === 0) return '';
  if (!showChanges) return '<show_changes=False>';
  const binary = binaryReplace(oldData, newData);
  if (binary) return binary;
  return unifiedDiff(readLines(Buffer.from(oldData).toString('utf8')), readLines(Buffer.from(newData).toString('utf8'))).join('');
}
