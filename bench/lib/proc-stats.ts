/**
 * Memory and CPU of any process we started, read from /proc, so the master, the bare broker and the
 * idle agents are all measured the same way from outside (Linux only, as the bench's target machine).
 */
import { readFileSync } from 'node:fs';

/** Resident set size in bytes (VmRSS), 0 when the process is gone. */
export function rssBytes(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** User + system CPU time in ms; subtract two readings for a phase's share. */
export function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name may hold spaces: fields are counted after its closing parenthesis
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** Measures a process's CPU over a span: call the result to get the ms used since. */
export function cpuMeter(pid: number): () => number {
  const start = cpuMs(pid);
  return () => cpuMs(pid) - start;
}
