/**
 * The pieces of salt/output/highstate.py that are pure layout: the one-line terse form of a state and
 * the per-host summary block. `highstate.ts` decides what to print; this file decides how it looks.
 */
import type { Colors } from './colors.js';
import { pyFixed, pyFloatRepr, pyRound, pyStr, pyTruthy } from './py-text.js';

/** Python's `str(duration)`: Salt's durations are floats, so a whole number still prints as `5.0`. */
export const durationText = (d: unknown): string => (typeof d === 'number' ? pyFloatRepr(d) : pyStr(d ?? ''));

const rjust = (s: string, width: number): string => s.padStart(width);
const ljust = (s: string, width: number): string => s.padEnd(width);

/** `_format_terse`: `Clean`, `Changed`, `Failed` or `Differs` on one line (`comps` = state, id, name, fun). */
export function terseLine(
  tcolor: string,
  comps: readonly string[],
  ret: Record<string, unknown>,
  c: Colors,
  opts: { tabular: boolean; profile: boolean },
): string {
  let result = pyTruthy(ret['changes']) ? 'Changed' : 'Clean';
  if (ret['result'] === false) result = 'Failed';
  else if (ret['result'] === null) result = 'Differs';
  const [state = '', , name = ''] = comps;
  const fun = comps[comps.length - 1] ?? '';
  const warnings = Array.isArray(ret['warnings']) ? ret['warnings'].map(pyStr).join('\n') : undefined;
  const timed = opts.profile && 'start_time' in ret;
  let line = '';
  if (opts.tabular) {
    if (warnings !== undefined) line += `${c.LIGHT_RED}Warnings:\n${warnings}${c.ENDC}\n`;
    line += tcolor;
    if (timed) line += `${pyStr(ret['start_time'])} [${rjust(durationText(ret['duration']), 7)} ms] `;
    line += `${rjust(state, 10)}.${ljust(fun, 10)} ${ljust(result, 7)}   Name: ${name}${c.ENDC}`;
    return line;
  }
  if (warnings !== undefined) line += `${c.LIGHT_RED}Warnings:\n${warnings}${c.ENDC}`;
  line += ` ${tcolor} Name: ${name} - Function: ${state}.${fun} - Result: ${result}`;
  if (timed) line += ` - Started: ${pyStr(ret['start_time'])} - Duration: ${durationText(ret['duration'])} ms`;
  return line + c.ENDC;
}

/** What the summary counts: results by Python value, the warnings count, changes, and durations in ms. */
export interface Tally {
  ok: number; // result True
  failed: number; // result False
  none: number; // result None (test=True)
  other: Map<string, number>; // any other result value, counted by its repr as Python's dict would
  warnings: number;
  changed: number;
  durations: number[];
  parallelDurations: number[];
}

export const newTally = (): Tally => ({ ok: 0, failed: 0, none: 0, other: new Map(), warnings: 0, changed: 0, durations: [], parallelDurations: [] });

/**
 * The summary block. Its width is the longest label (`Succeeded`, 9) plus the widest count plus `: `;
 * counts are right-aligned to it, `Total states run` to width-7 and `Total run time` to width-5.
 * Only result kinds that occurred count towards the widest count, as Salt keys its counter by result.
 */
export function summaryLines(host: string, t: Tally, c: Colors, opts: { pct: boolean; profile: boolean }): string[] {
  const seen: number[] = [];
  if (t.ok) seen.push(t.ok);
  if (t.failed) seen.push(t.failed);
  if (t.none) seen.push(t.none);
  seen.push(...t.other.values());
  if (t.warnings) seen.push(t.warnings);
  const width = 9 + Math.max(0, ...seen.map((n) => String(n).length)) + 2;
  const counts = (label: string, count: number | string): string => `${label}: ${rjust(String(count), width - (label.length + 2))}`;
  const paint = (color: string, text: string): string => `${color}${text}${c.ENDC}`;
  const total = t.ok + t.failed + t.none + [...t.other.values()].reduce((a, b) => a + b, 0);

  const lines = [paint(c.CYAN, `\nSummary for ${host}\n${'-'.repeat(width)}`)];
  const stats: string[] = [];
  if (t.none > 0) stats.push(paint(c.LIGHT_YELLOW, `unchanged=${t.none}`));
  if (t.changed > 0) stats.push(paint(c.GREEN, `changed=${t.changed}`));
  lines.push(paint(c.GREEN, counts('Succeeded', t.ok + t.none)) + (stats.length ? ` (${stats.join(', ')})` : ''));
  lines.push(paint(t.failed ? c.RED : c.CYAN, counts('Failed', t.failed)));
  if (opts.pct && total > 0) {
    lines.push(paint(c.GREEN, counts('Success %', pyFloatRepr(pyRound(((t.ok + t.none) / total) * 100, 2)))));
    lines.push(paint(t.failed ? c.RED : c.CYAN, counts('Failure %', pyFloatRepr(pyRound((t.failed / total) * 100, 2)))));
  }
  if (t.warnings) lines.push(paint(c.LIGHT_RED, counts('Warnings', t.warnings)));
  lines.push(paint(c.CYAN, `${'-'.repeat(width)}\nTotal states run: ${rjust(String(total), width - 7)}`));
  if (opts.profile) {
    // Parallel states overlap, so only the longest of them adds to the run time.
    let ms = t.durations.reduce((a, b) => a + b, 0);
    if (t.parallelDurations.length) ms += Math.max(...t.parallelDurations);
    let unit = 'ms';
    if (ms > 999) {
      ms /= 1000;
      unit = 's';
    }
    lines.push(paint(c.CYAN, `Total run time: ${rjust(pyFixed(ms, 3), width - 5)} ${unit}`));
  }
  return lines;
}
