/**
 * What one runChunks call shares across chunks: Salt's `__run_num` counter, the `pre` dict of prereq
 * test runs, the failhard flag, the clock, and the function lookup.
 */
import type { Chunk, ChunkReturn, RunOptions, StateFunction, StateResult } from './types.js';
import { messageOf } from '../errors.js';

/** A chunk as the runner holds it: Salt flags chunks while it resolves prereqs. */
export type Low = Chunk & { __prereq__?: boolean; __prerequired__?: boolean };

/** A result before it gets its run number: what a prereq test run leaves in `pre`. */
export type PreReturn = StateResult & Record<string, unknown>;

/** One pass of Salt's `call_chunks`: its chunks, its results, and the states on the current path. */
export interface Pass {
  readonly chunks: Low[];
  readonly running: Record<string, ChunkReturn>;
  readonly active: Set<string>;
}

export class Engine {
  runNum = 0;
  /** Results of prereq test runs, by tag (Salt's `self.pre`). */
  readonly pre: Record<string, PreReturn> = {};
  /** Set when a requisite failed under failhard: every pass stops (Salt's `__FAILHARD__`). */
  failhard = false;
  readonly #emitted = new Set<string>();

  constructor(
    readonly options: RunOptions,
    readonly total: number,
  ) {}

  /** The state function, or why there is none (a lookup that throws explains itself). */
  find(state: string, fun: string): { fn?: StateFunction; reason?: string } {
    try {
      const fn = this.options.lookup(state, fun);
      return fn ? { fn } : {};
    } catch (error) {
      return { reason: messageOf(error) };
    }
  }

  has(state: string, fun: string): boolean {
    return this.find(state, fun).fn !== undefined;
  }

  /** Milliseconds since the epoch, with a microsecond fraction when the system clock is used. */
  clock(): number {
    return this.options.now ? this.options.now().getTime() : performance.timeOrigin + performance.now();
  }

  /** Salt's `_calculate_fake_duration`: timing for results of states that did not run. */
  fakeTiming(): { start_time: string; duration: number } {
    const start = this.clock();
    return { start_time: localTime(start), duration: roundMs(this.clock() - start) };
  }

  /** Reports a result once (Salt can fire the progress event for a tag more than once). */
  emit(tag: string, ret: ChunkReturn): void {
    if (this.#emitted.has(tag)) return;
    this.#emitted.add(tag);
    this.options.onChunkDone?.(tag, ret, this.total);
  }
}

/** Local wall-clock `HH:MM:SS.ffffff`; like Python's `time().isoformat()`, no fraction when it is 0. */
export function localTime(ms: number): string {
  const whole = Math.floor(ms);
  const date = new Date(whole);
  const micros = Math.min(999999, (whole % 1000) * 1000 + Math.round((ms - whole) * 1000));
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const base = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  return micros === 0 ? base : `${base}.${pad(micros, 6)}`;
}

/** Durations are whole microseconds, as Salt computes them from a timedelta. */
export function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
