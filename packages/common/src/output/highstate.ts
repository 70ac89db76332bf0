/**
 * The highstate outputter (salt/output/highstate.py), which `salt` uses for `state.*` returns. Per host:
 * the states sorted by `__run_num__`, each as a `----------` block (or a terse line), then a summary.
 * A list return is a compile error, a string return prints like nested, and an orchestration's changes
 * (`{out: 'highstate', ret: {...}}`) print as nested highstates, 14 columns in.
 */
import { getColors } from './colors.js';
import type { Colors } from './colors.js';
import { durationText, newTally, summaryLines, terseLine } from './highstate-lines.js';
import type { Tally } from './highstate-lines.js';
import { formatNested } from './nested.js';
import type { OutputOptions } from './options.js';
import { isDict, pyLstrip, pyRepr, pyRstrip, pySplitlines, pyStr, pyStrip, pyTruthy, stripEsc } from './py-text.js';
import { pyFill } from './py-textwrap.js';

interface Ctx {
  readonly opts: OutputOptions;
  readonly c: Colors;
  readonly mode: string;
}

const PAD = ' '.repeat(14); // where a state's comment, changes and warnings continue
const ORCH_FUNCTIONS = ['state.orch', 'state.orchestrate', 'state.sls'];
const NO_ORDER =
  'The State execution failed to record the order in which all states were executed. The state return missing data is:';

/** The highstate outputter's text for `{minion: state return}` (not yet right-stripped; see `printout`). */
export function formatHighstate(data: unknown, opts: OutputOptions = {}): string {
  const ctx: Ctx = { opts, c: getColors(opts.color ?? false), mode: (opts.stateOutput ?? 'full').toLowerCase() };
  // Where Salt's outputter raises (a bare number, a list, an orchestration step whose changes are not
  // state data), `try_printout` prints the whole return with nested instead; so do we.
  try {
    return output(data, ctx, 1) ?? formatNested(data, opts);
  } catch {
    return formatNested(data, opts);
  }
}

/** Salt's `output()`: the text, or `undefined` where Salt would return a non-string or raise. */
function output(input: unknown, ctx: Ctx, indentLevel: number): string | undefined {
  let data = input;
  // Unwrap the envelopes that runners and jobs.lookup_jid put around state data, as Salt does.
  if (isDict(data) && 'return' in data) data = data['return'];
  if (isDict(data) && 'data' in data) data = data['data'];
  if (isDict(data) && Object.keys(data).length === 1) {
    const only = Object.values(data)[0];
    if (isDict(only) && 'jid' in only && 'fun' in only) {
      const inner = only['return'] ?? {};
      if (isDict(inner) && 'data' in inner) data = inner['data'];
    }
  }
  if (typeof data === 'string') return data;
  if (data === null || data === undefined) return 'None';
  if (!isDict(data)) return undefined;
  const hosts = { ...data };
  // An orchestration return carries its retcode beside the one `<id>_master` host.
  if ('retcode' in hosts && Object.keys(hosts).filter((k) => k.endsWith('_master')).length === 1) delete hosts['retcode'];
  return Object.entries(hosts)
    .map(([host, hostdata]) => formatHost(host, hostdata, ctx, indentLevel)[0])
    .join('\n');
}

/** `_format_host`: the host's text and whether anything changed (which an orchestration's summary counts). */
function formatHost(host: string, data: unknown, ctx: Ctx, indentLevel: number): [string, boolean] {
  const { c, opts } = ctx;
  let hcolor = c.GREEN;
  const hstrs: string[] = [];
  let nchanges = 0;
  if (typeof data === 'boolean' || (typeof data === 'number' && Number.isSafeInteger(data))) {
    // A bare int or string comes from saltmod.function in an orchestration, and always counts as a change.
    nchanges = 1;
    hstrs.push(`${hcolor}    ${pyStr(data)}${c.ENDC}`);
    hcolor = c.CYAN;
  } else if (typeof data === 'string') {
    nchanges = 1;
    for (const line of pySplitlines(data)) hstrs.push(`${hcolor}    ${line}${c.ENDC}`);
    hcolor = c.CYAN;
  } else if (Array.isArray(data)) {
    hcolor = c.LIGHT_RED;
    hstrs.push(`    ${hcolor}Data failed to compile:${c.ENDC}`);
    for (const error of data) {
      const text = opts.stripColors ?? true ? stripEsc(pyStr(error)) : pyStr(error);
      hstrs.push(`${hcolor}----------\n    ${text}${c.ENDC}`);
    }
  } else if (isDict(data)) {
    const tally = newTally();
    const states: [string, Record<string, unknown>][] = [];
    for (const [tname, info] of Object.entries(data)) {
      if (isDict(info) && tname !== 'changes' && Object.keys(info).length > 0 && !('__run_num__' in info)) {
        hstrs.unshift(NO_ORDER, pyRepr(info));
      }
      if (isDict(info) && 'result' in info) states.push([tname, info]);
    }
    states.sort(([, a], [, b]) => Number(a['__run_num__'] ?? 0) - Number(b['__run_num__'] ?? 0));
    for (const [tname, ret] of states) {
      const shown = formatState(tname, ret, ctx, indentLevel, tally);
      if (shown.changed) nchanges += 1;
      if (shown.hcolor !== undefined) hcolor = shown.hcolor;
      hstrs.push(...shown.lines);
    }
    tally.changed = nchanges;
    hstrs.push(...summaryLines(host, tally, c, { pct: opts.stateOutputPct ?? false, profile: opts.stateOutputProfile ?? true }));
  }
  const shownHost = opts.stripColors ?? true ? stripEsc(host) : host;
  hstrs.unshift(`${hcolor}${shownHost}:${c.ENDC}`);
  return [hstrs.join('\n'), nchanges > 0];
}

/** A state's printed lines, whether it changed, and the host colour it sets (a failure turns the host red). */
interface Shown {
  lines: string[];
  changed: boolean;
  hcolor: string | undefined;
}

/** One state: counted in the tally always, printed in full, tersely, or not at all. */
function formatState(tname: string, ret: Record<string, unknown>, ctx: Ctx, indentLevel: number, tally: Tally): Shown {
  const { c, opts, mode } = ctx;
  const result = ret['result'];
  if (result === true) tally.ok += 1;
  else if (result === false) tally.failed += 1;
  else if (result === null) tally.none += 1;
  else tally.other.set(pyRepr(result), (tally.other.get(pyRepr(result)) ?? 0) + 1);
  const duration = parseDuration('duration' in ret ? ret['duration'] : 0);
  if (duration !== undefined) ('__parallel__' in ret ? tally.parallelDurations : tally.durations).push(duration);

  let changed: boolean;
  let ctext: string;
  if (typeof ret['name'] === 'string' && ORCH_FUNCTIONS.includes(ret['name'])) {
    const nested = output(ret['changes'], ctx, indentLevel + 1);
    if (nested === undefined) throw new TypeError('orchestration changes are not state data');
    ctext = ('\n' + nested)
      .split('\n')
      .map((line) => ' '.repeat(14 * indentLevel) + line)
      .join('\n');
    changed = true;
  } else {
    [changed, ctext] = formatChanges(ret['changes'], ctx);
  }

  const quiet = pyTruthy(result) && !changed;
  // Hidden states still count in the summary; they just print nothing (and cannot be failures).
  if ((opts.stateOutputDiff ?? false) && quiet) return { lines: [], changed, hcolor: undefined };
  if (!(opts.stateVerbose ?? true) && quiet) return { lines: [], changed, hcolor: undefined };

  let tcolor = changed ? c.CYAN : c.GREEN;
  let hcolor: string | undefined;
  if (result === false) hcolor = tcolor = c.RED;
  if (result === null) hcolor = tcolor = c.LIGHT_YELLOW;
  const comps = tname.split('_|-');
  if (mode.endsWith('_id')) comps[2] = comps[1] ?? ''; // show the ID where the name goes (Salt #35137)
  const terse = (): Shown => ({
    lines: [terseLine(tcolor, comps, ret, c, { tabular: opts.stateTabular ?? false, profile: opts.stateOutputProfile ?? true })],
    changed,
    hcolor,
  });
  if (mode.startsWith('filter')) {
    if ((opts.stateOutputTerse ?? []).includes(pyStr(result))) return terse();
    if ((opts.stateOutputExclude ?? []).includes(pyStr(result))) return { lines: [], changed, hcolor };
  } else if (
    mode.startsWith('terse') ||
    (mode.startsWith('mixed') && result !== false) ||
    (mode.startsWith('changes') && quiet)
  ) {
    return terse();
  }

  const [state = '', id = '', name = '', fun = ''] = comps;
  const lines = [
    `${tcolor}----------${c.ENDC}`,
    `    ${tcolor}      ID: ${id}${c.ENDC}`,
    `    ${tcolor}Function: ${state}.${fun}${c.ENDC}`,
    `    ${tcolor}  Result: ${pyStr(result)}${c.ENDC}`,
    `    ${tcolor} Comment: ${commentText(ret)}${c.ENDC}`,
  ];
  if ((opts.stateOutputProfile ?? true) && 'start_time' in ret) {
    const d = ret['duration'] ?? '';
    lines.push(`    ${tcolor} Started: ${pyStr(ret['start_time'])}${c.ENDC}`);
    lines.push(`    ${tcolor}Duration: ${d === '' ? '' : `${durationText(d)} ms`}${c.ENDC}`);
  }
  if (id !== name) lines.splice(3, 0, `    ${tcolor}    Name: ${name}${c.ENDC}`);
  lines.push(`${tcolor}     Changes:   ${ctext}${c.ENDC}`);
  if ('warnings' in ret) {
    tally.warnings += 1;
    const w = ret['warnings'];
    const items = Array.isArray(w) ? w.map(pyStr) : typeof w === 'string' ? Array.from(w) : [pyStr(w)];
    const wrapped = pyFill(items.join('\n'), { width: 80, initialIndent: PAD, subsequentIndent: PAD });
    lines.push(`   ${c.LIGHT_RED} Warnings: ${pyLstrip(wrapped)}${c.ENDC}`);
  }
  return { lines, changed, hcolor };
}

/** The comment, stripped, with continuation lines under the first; a `data` key is appended as Salt does. */
function commentText(ret: Record<string, unknown>): string {
  let comment = pyStrip(pyStr(ret['comment'] ?? '')).replaceAll('\n', '\n' + PAD);
  if ('data' in ret) {
    const data = ret['data'];
    if (Array.isArray(data)) for (const item of data) comment = `${comment} ${pyStr(item)}`;
    else if (isDict(data)) for (const [k, v] of Object.entries(data)) comment = `${comment}\n\t\t${k}: ${pyStr(v)}`;
    else comment = `${comment} ${pyStr(data)}`;
  }
  return comment;
}

/** `_format_changes`: nothing for no changes, nested at column 14 for a dict, nested highstates for `out: highstate`. */
function formatChanges(changes: unknown, ctx: Ctx): [boolean, string] {
  if (!pyTruthy(changes)) return [false, ''];
  if (!isDict(changes)) return [true, `Invalid Changes data: ${pyStr(changes)}`];
  const ret = changes['ret'];
  if (ret !== null && ret !== undefined && changes['out'] === 'highstate') {
    let ctext = '';
    let changed = false;
    for (const [host, hostdata] of Object.entries(isDict(ret) ? ret : {})) {
      const [text, hostChanged] = formatHost(host, hostdata, ctx, 1);
      ctext += '\n' + pySplitlines(text).map((line) => PAD + line).join('\n');
      changed ||= hostChanged;
    }
    return [changed, ctext];
  }
  // Salt calls nested without the minion's retcode here, so failed states' changes keep their colours.
  return [true, '\n' + pyRstrip(formatNested(changes, { ...ctx.opts, retcode: 0, nestedIndent: 14 }))];
}

/** `float(duration)`, or the number before ` ms` in an already formatted one; unparseable durations are skipped. */
function parseDuration(d: unknown): number | undefined {
  if (typeof d === 'number') return d;
  if (typeof d === 'boolean') return d ? 1 : 0;
  if (typeof d !== 'string') return undefined;
  return pyFloat(d) ?? pyFloat(d.split(' ms')[0] ?? '');
}

function pyFloat(s: string): number | undefined {
  const t = pyStrip(s).replaceAll('_', '');
  if (/^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i.test(t)) return Number(t);
  if (/^[+-]?(?:inf|infinity)$/i.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/i.test(t)) return NaN;
  return undefined;
}
