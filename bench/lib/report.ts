/**
 * The figures: one record per row of the table, each with its bare-Aedes baseline and the
 * ratio saltmq/bare, written to bench/results.json and printed as a table. Targets are goals: the
 * bench reports where each figure stands and never fails on them.
 */
import { writeFile } from 'node:fs/promises';
import type { MachineInfo } from './machine.js';
import { round } from './stats.js';

export interface Baseline {
  /** the headline value measured the same way through a bare Aedes broker over plain TCP */
  value: number | null;
  /** the same through a bare Aedes broker behind TLS, when measured: TLS's share of the gap */
  tls?: number | null;
  how: string;
  details?: Record<string, unknown>;
}

export interface Figure {
  title: string;
  /** what exactly is timed or counted */
  measures: string;
  unit: string;
  /** whether a smaller value is better (latency, memory) or a larger one (throughput) */
  better: 'lower' | 'higher';
  value: number | null;
  /** secondary values (p99, success counts, CPU used by the master...) */
  details: Record<string, unknown>;
  baseline: Baseline | null;
  /** value / baseline.value, literally */
  ratio: number | null;
  /** how many times worse saltmq is than bare (ratio for lower-is-better, 1/ratio for higher-is-better) */
  slowdown: number | null;
  target: { text: string; met: boolean | null };
  /** events or jobs that never arrived, and those that arrived twice: both must be 0 */
  lost: number;
  duplicates: number;
  notes: string[];
}

export interface Results {
  machine: MachineInfo;
  commit: string;
  dirty: boolean;
  started: string;
  finished: string;
  duration_s: number;
  options: Record<string, unknown>;
  figures: Record<string, Figure>;
  failures: Record<string, string>;
  notes: string[];
}

/** Fills in ratio and slowdown from the value and the baseline. */
export function figure(f: Omit<Figure, 'ratio' | 'slowdown'>): Figure {
  const base = f.baseline?.value;
  const ratio = f.value !== null && base ? f.value / base : null;
  const slowdown = ratio === null || ratio === 0 ? null : f.better === 'lower' ? ratio : 1 / ratio;
  return { ...f, ratio: ratio === null ? null : round(ratio, 2), slowdown: slowdown === null ? null : round(slowdown, 2) };
}

const show = (value: number | null | undefined, unit = '') => (value === null || value === undefined || Number.isNaN(value) ? '-' : `${round(value, value < 10 ? 2 : 1)}${unit ? ' ' + unit : ''}`);

function pad(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

export function renderTable(results: Results): string {
  const rows = [['figure', 'saltmq', 'bare tcp', 'bare tls', 'saltmq/bare', 'target', 'met', 'lost/dup']];
  for (const f of Object.values(results.figures)) {
    const extra = f.details.p99 !== undefined ? ` (p99 ${show(f.details.p99 as number)})` : '';
    rows.push([
      f.title,
      show(f.value, f.unit) + extra,
      show(f.baseline?.value, f.unit),
      show(f.baseline?.tls, f.unit),
      f.ratio === null ? '-' : `${f.ratio}` + (f.better === 'higher' && f.slowdown !== null ? ` (${f.slowdown}x slower)` : ''),
      f.target.text,
      f.target.met === null ? '?' : f.target.met ? 'yes' : 'NO',
      `${f.lost}/${f.duplicates}`,
    ]);
  }
  for (const [key, reason] of Object.entries(results.failures)) rows.push([key, 'FAILED: ' + reason.split('\n')[0]!.slice(0, 100), '', '', '', '', '', '']);
  const m = results.machine;
  const head = `saltmq bench — ${results.commit.slice(0, 12)}${results.dirty ? ' (dirty tree)' : ''} — ${m.cores} cores (${m.cpu}), ${m.memory_gb} GB, Node ${m.node}, ${results.duration_s} s`;
  const notes = [...results.notes, ...Object.values(results.figures).flatMap((f) => f.notes.map((n) => `${f.title}: ${n}`))];
  return [head, '', pad(rows), '', ...notes.map((n) => `- ${n}`)].join('\n');
}

export async function writeResults(path: string, results: Results): Promise<void> {
  await writeFile(path, JSON.stringify(results, null, 2) + '\n');
}
