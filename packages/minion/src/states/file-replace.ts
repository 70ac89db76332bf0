/**
 * Salt's file.replace state and the file.replace execution function behind it (re.subn over the
 * file's bytes). Patterns are Python regular expressions, translated by py-regex.ts, which lists what
 * cannot be translated.
 */
import { copyFile, readFile, realpath } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { InvocationError, type StateFunction } from '@saltmq/common';
import type { StateDeps } from './deps.js';
import { isText, unifiedDiff } from './file-diff.js';
import { writeReplacing } from './file-write.js';
import { compilePy, fromBytes, parseFlags, pyEscape, pySearch, pySub, toBytes } from './py-regex.js';
import { asBool, fail, lstatOrUndefined, newRet, optStr, pyStr } from './util.js';

/** Python's bytes.splitlines(keepends=True): \n, \r\n and \r end lines. */
export function splitBytesLines(data: string): string[] {
  return data.match(/[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$/g) ?? [];
}

/** salt.utils.stringutils.get_diff over two lists of byte lines, decoded as UTF-8 the way Salt decodes them. */
export function diffByteLines(a: string[], b: string[]): string {
  return unifiedDiff(a.map(fromBytes), b.map(fromBytes)).join('');
}

interface ReplaceOptions {
  pattern: string;
  repl: string;
  count: number;
  flags: number;
  append: boolean;
  prepend: boolean;
  notFoundContent: string | undefined;
  backup: string | false;
  dryRun: boolean;
  backslashLiteral: boolean;
  cachedir: string;
}

/** Salt's modules/file.py replace(): the diff of what changed (or would change), '' when nothing does. */
export async function replaceInFile(path: string, o: ReplaceOptions): Promise<string> {
  const real = await realpath(path);
  const raw = await readFile(real);
  if (!isText(raw)) throw new InvocationError(`Cannot perform string replacements on a binary file: ${real}`);
  if (o.append && o.prepend) throw new InvocationError('Only one of append and prepend_if_not_found is permitted');
  const data = raw.toString('latin1');
  const re = compilePy(toBytes(o.pattern), o.flags);
  let repl = toBytes(o.repl);
  if (o.backslashLiteral) repl = repl.replace(/\\/g, '\\\\');
  const content = toBytes(o.notFoundContent !== undefined && (o.append || o.prepend) ? o.notFoundContent : o.repl);

  const [result, nrepl] = pySub(re, repl, data, o.count);
  let found = nrepl > 0;
  let hasChanges = nrepl > 0 && o.pattern !== o.repl;
  // an already present not_found_content line counts as found, so append/prepend stay idempotent
  if ((o.append || o.prepend) && pySearch(compilePy(`^${pyEscape(content)}($|(?=\\r\\n))`, o.flags), data)) found = true;
  const origLines = splitBytesLines(data);
  const newLines = splitBytesLines(result);
  if (origLines.join('\0') === newLines.join('\0') && origLines.length === newLines.length) hasChanges = false;

  if (!found && (o.append || o.prepend)) {
    if (o.prepend) newLines.unshift(`${content}\n`);
    else {
      const last = newLines.length - 1;
      if (last >= 0 && !newLines[last]!.endsWith('\n')) newLines[last] += '\n';
      newLines.push(`${content}\n`);
    }
    hasChanges = true;
  }
  if (hasChanges && !o.dryRun) {
    if (o.backup) await copyFile(real, `${real}${o.backup}`);
    await writeReplacing(real, Buffer.from(newLines.join(''), 'latin1'), { cachedir: o.cachedir });
  }
  return hasChanges ? diffByteLines(origLines, newLines) : '';
}

export function makeReplace(deps: StateDeps): StateFunction {
  return async (name, args, ctx) => {
    const ret = newRet(name);
    if (!name) return fail(ret, 'Must provide name to file.replace');
    if (!isAbsolute(name)) return fail(ret, `Specified file ${name} is not an absolute path`);
    if (!(await lstatOrUndefined(name))) {
      if (asBool(args.ignore_if_missing, false)) {
        ret.comment = 'No changes needed to be made';
        return ret;
      }
      return fail(ret, `${name}: file not found`);
    }
    if (args.pattern === undefined || args.repl === undefined) return fail(ret, 'file.replace needs both pattern and repl');
    const backup = args.backup === false || args.backup === null || args.backup === '' ? false : (optStr(args.backup) ?? '.bak');
    const diff = await replaceInFile(name, {
      pattern: pyStr(args.pattern),
      repl: pyStr(args.repl),
      count: Number(args.count ?? 0) || 0,
      flags: parseFlags(args.flags ?? 8),
      append: asBool(args.append_if_not_found, false),
      prepend: asBool(args.prepend_if_not_found, false),
      notFoundContent: optStr(args.not_found_content),
      backup,
      dryRun: ctx.test,
      backslashLiteral: asBool(args.backslash_literal, false),
      cachedir: deps.cachedir,
    });
    if (diff) {
      // Salt reports True instead of the diff when show_changes is off
      ret.changes.diff = asBool(args.show_changes, true) ? diff : true;
      ret.result = ctx.test ? null : true;
      ret.comment = ctx.test ? 'Changes would have been made' : 'Changes were made';
    } else {
      ret.comment = 'No changes needed to be made';
    }
    return ret;
  };
}
