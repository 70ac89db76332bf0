/**
 * Salt's default outputter (salt/output/nested.py). A dict prints each key, sorted, as `key:` with its
 * value four spaces deeper; a dict below the top is announced by `----------`; scalars print as Python's
 * `repr`; a string prints one line per `splitlines()` line, so an empty string prints nothing; a list
 * prints scalars as `- item` and nested containers as `|_` with the element two spaces deeper.
 */
import { getColors } from './colors.js';
import type { Colors } from './colors.js';
import type { OutputOptions } from './options.js';
import { isDict, pyNumberRepr, pySortedKeys, pySplitlines, stripEsc } from './py-text.js';

interface Ctx {
  readonly c: Colors;
  readonly failed: boolean;
  readonly strip: boolean;
}

/** `ustring`: indent, colour, prefix, text, reset, suffix, in that order (so `key` is coloured and `:` is not). */
const ustring = (ctx: Ctx, indent: number, color: string, msg: string, prefix = '', suffix = ''): string =>
  `${' '.repeat(indent)}${color}${prefix}${msg}${ctx.c.ENDC}${suffix}`;

function display(ctx: Ctx, ret: unknown, indent: number, prefix: string, out: string[]): void {
  const { c } = ctx;
  if (ret === null || ret === undefined || typeof ret === 'boolean') {
    out.push(ustring(ctx, indent, c.LIGHT_YELLOW, ret === true ? 'True' : ret === false ? 'False' : 'None', prefix));
  } else if (typeof ret === 'number' || typeof ret === 'bigint') {
    out.push(ustring(ctx, indent, c.LIGHT_YELLOW, typeof ret === 'number' ? pyNumberRepr(ret) : ret.toString(), prefix));
  } else if (typeof ret === 'string' || Buffer.isBuffer(ret)) {
    const text = typeof ret === 'string' ? ret : ret.toString('utf8');
    // Continuation lines line up under the first line's text, past the `- ` prefix.
    pySplitlines(text).forEach((line, i) => {
      out.push(ustring(ctx, indent, c.GREEN, ctx.strip ? stripEsc(line) : line, i === 0 ? prefix : ' '.repeat(prefix.length)));
    });
  } else if (Array.isArray(ret)) {
    const color = ctx.failed ? c.RED : c.GREEN;
    for (const item of ret) {
      if (Array.isArray(item) || isDict(item)) {
        out.push(ustring(ctx, indent, color, '|_'));
        display(ctx, item, indent + 2, isDict(item) ? '' : '- ', out);
      } else {
        display(ctx, item, indent, '- ', out);
      }
    }
  } else if (isDict(ret)) {
    const color = ctx.failed ? c.RED : c.CYAN;
    if (indent) out.push(ustring(ctx, indent, color, '----------'));
    // Salt sorts plain dicts (only an OrderedDict keeps its order); every return we hold is a plain dict.
    for (const key of pySortedKeys(ret)) {
      if (ret[key] === undefined) continue;
      out.push(ustring(ctx, indent, color, key, prefix, ':'));
      display(ctx, ret[key], indent + 4, '', out);
    }
  }
  // Anything else (a function, a symbol) prints nothing, as nested.py skips types it does not know.
}

/** The nested outputter's text for `data` (not yet right-stripped; see `printout`). */
export function formatNested(data: unknown, opts: OutputOptions = {}): string {
  const ctx: Ctx = { c: getColors(opts.color ?? false), failed: (opts.retcode ?? 0) !== 0, strip: opts.stripColors ?? true };
  const out: string[] = [];
  display(ctx, data, opts.nestedIndent ?? 0, '', out);
  return out.join('\n');
}
