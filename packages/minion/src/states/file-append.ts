/**
 * Salt's file.append: adds each chunk of `text` unless the file already contains it. By default
 * (ignore_whitespace) a chunk counts as present when its words appear in order on consecutive lines,
 * whatever the spacing, as Salt's build_whitespace_split_regex matches it.
 */
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { StateFunction, StateResult } from '@saltmq/common';
import type { StateDeps } from './deps.js';
import { isText, pySplitLines, unifiedDiff } from './file-diff.js';
import { makeParentDirs } from './file-perms.js';
import { makeTouch } from './file-simple.js';
import { writeReplacing } from './file-write.js';
import { compilePy, pyEscape, pySearch, toBytes } from './py-regex.js';
import { asBool, fail, isDir, isFile, newRet, strList, truthy } from './util.js';

/** Non-POSIX shlex with whitespace_split, as Salt configures it: quotes only group when both kinds appear. */
function shlexWords(line: string): string[] {
  const quotes = line.includes('\'\\"') ? '' : line.includes("'") && line.includes('"') ? '"' : '';
  const words: string[] = [];
  let word = '';
  let quote = '';
  for (const c of line) {
    if (quote) {
      word += c;
      if (c === quote) quote = '';
    } else if (/\s/.test(c)) {
      if (word) words.push(word);
      word = '';
    } else {
      if (quotes.includes(c)) quote = c;
      word += c;
    }
  }
  if (word) words.push(word);
  return words;
}

/** salt.utils.stringutils.build_whitespace_split_regex, in bytes form. */
export function whitespaceSplitRegex(text: string): string {
  let regex = '';
  for (const line of pySplitLines(text)) {
    const parts = shlexWords(line).map((w) => pyEscape(toBytes(w)));
    regex += `(?:[\\s]+)?${parts.join('(?:[\\s]+)?')}`;
  }
  return `(?m)^${regex}$`;
}

/** Salt's `'\n'.join(difflib.unified_diff(a, b))` over lines without ends (file.append's odd-looking diff). */
function joinedDiff(a: string[], b: string[]): string {
  return unifiedDiff(a, b).join('\n');
}

export function makeAppend(deps: StateDeps): StateFunction {
  const touch = makeTouch();
  return async (name, args, ctx) => {
    const ret: StateResult = newRet(name, false);
    if (!name) return fail(ret, 'Must provide name to file.append');
    if (truthy(args.source) || truthy(args.sources)) {
      return fail(ret, 'file.append in saltmq takes text only (source and sources are not supported)');
    }
    const makedirs = asBool(args.makedirs, false);
    if (makedirs) {
      if (ctx.test) {
        ret.comment = `Directory ${dirname(name)} is set to be updated`;
        ret.result = null;
      } else if (!(await isDir(dirname(name)))) {
        await makeParentDirs(name, {});
      }
    }
    if (!(await isFile(name))) {
      const touched = await touch(name, { makedirs }, ctx);
      if (ctx.test) return touched;
      if (!(await isFile(name))) return fail(ret, `${name}: file not found`);
    }
    if (args.text === undefined || args.text === null) return fail(ret, 'No text found to append. Nothing appended');
    const chunks = strList(args.text);
    const raw = await readFile(name);
    const bytes = raw.toString('latin1');
    const before = pySplitLines(raw.toString('utf8'));
    const ignoreWhitespace = asBool(args.ignore_whitespace, true);

    const appendLines: string[] = [];
    for (const chunk of chunks) {
      const pattern = ignoreWhitespace ? whitespaceSplitRegex(chunk) : toBytes(chunk);
      // file.search(multiline=True): MULTILINE over the whole file
      if (pySearch(compilePy(pattern, 8), bytes)) continue;
      appendLines.push(...pySplitLines(chunk));
    }

    if (ctx.test) {
      const after = [...before, ...appendLines];
      if (appendLines.length > 0) {
        ret.comment = `File ${name} is set to be updated`;
        ret.result = null;
        ret.changes.diff = isText(raw) ? joinedDiff(before, after) : 'Replace binary file';
      } else {
        ret.comment = `File ${name} is in correct state`;
        ret.result = true;
      }
      return ret;
    }
    if (appendLines.length > 0) {
      // Salt first makes sure the file ends with a newline, then writes each line plus one
      const head = raw.length > 0 && raw[raw.length - 1] !== 0x0a ? Buffer.concat([raw, Buffer.from('\n')]) : raw;
      const data = Buffer.concat([head, Buffer.from(appendLines.map((l) => `${l}\n`).join(''), 'utf8')]);
      await writeReplacing(name, data, { cachedir: deps.cachedir });
      ret.comment = `Appended ${appendLines.length} lines`;
    } else {
      ret.comment = `File ${name} is in correct state`;
    }
    const now = await readFile(name);
    const after = pySplitLines(now.toString('utf8'));
    if (before.join('\n') !== after.join('\n') || before.length !== after.length) {
      ret.changes.diff = isText(now) ? joinedDiff(before, after) : 'Replace binary file';
    }
    ret.result = true;
    return ret;
  };
}
