import { cpus, totalmem } from 'node:os';
import type { Json } from '@saltmq/common';

/** Salt's _linux_cpudata over /proc/cpuinfo text: num_cpus, cpu_model, cpu_flags. */
export function parseCpuinfo(text: string): { num_cpus: number; cpu_model: string; cpu_flags: string[] } {
  let num = 0;
  let model: string | undefined;
  let flags: string[] = [];
  for (const line of text.split('\n')) {
    const at = line.indexOf(':');
    if (at < 0) continue;
    const key = line.slice(0, at).trim();
    const value = line.slice(at + 1).trim();
    if (key === 'processor') num += 1;
    else if (key === '# processors') num = Number(value) || num;
    else if (key === 'vendor_id' || key === 'model name' || key === 'cpu') model = value;
    else if (key === 'Processor') model = value.split('-')[0] ?? value; // old ARM kernels
    else if (key === 'flags' || key === 'Features') flags = value.split(/\s+/).filter(Boolean);
  }
  return { num_cpus: num, cpu_model: model ?? 'Unknown', cpu_flags: flags };
}

/** mem_total and swap_total in MiB from /proc/meminfo text (kB values, integer-divided as Salt does). */
export function parseMeminfo(text: string): { mem_total: number; swap_total: number } {
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? NaN);
  const mem = kb('MemTotal');
  const swap = kb('SwapTotal');
  return {
    mem_total: Number.isFinite(mem) ? Math.floor(mem / 1024) : Math.floor(totalmem() / 1024 / 1024),
    swap_total: Number.isFinite(swap) ? Math.floor(swap / 1024) : 0,
  };
}

/** CPU grains, falling back to what Node reports when /proc is unreadable. */
export function cpuGrains(cpuinfo: string | undefined): Record<string, Json> {
  const parsed = parseCpuinfo(cpuinfo ?? '');
  if (parsed.num_cpus === 0) parsed.num_cpus = cpus().length;
  if (parsed.cpu_model === 'Unknown') parsed.cpu_model = cpus()[0]?.model ?? 'Unknown';
  return parsed;
}
