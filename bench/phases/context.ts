/** What every phase gets from the runner, and helpers they share. */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { KeyPairPem } from '@saltmq/common';
import type { BareTls } from '../bare/bare.js';
import type { BenchOptions } from '../lib/options.js';
import type { Figure } from '../lib/report.js';
import { minionId } from '../lib/stats.js';

export interface PhaseContext {
  options: BenchOptions;
  /** the bench's temp root; each phase makes its own folder inside */
  root: string;
  keys: KeyPairPem[];
  /** certificate and key of the bare TLS broker */
  bareTls: BareTls;
}

export type PhaseResult = Record<string, Figure>;

export async function phaseDir(ctx: PhaseContext, name: string): Promise<string> {
  const dir = join(ctx.root, `${name}-${Date.now().toString(36)}`);
  await mkdir(dir, { recursive: true });
  return dir;
}

/** The first `n` simulated minions: ids and their cached keys. */
export function minions(ctx: PhaseContext, n: number): { id: string; keys: KeyPairPem }[] {
  if (ctx.keys.length < n) throw new Error(`only ${ctx.keys.length} keys for ${n} minions`);
  return Array.from({ length: n }, (_, i) => ({ id: minionId(i), keys: ctx.keys[i]! }));
}

/** The master's accepted keys for these simulated minions (they start accepted, as after `saltmq-key -A`). */
export function acceptedKeys(list: readonly { id: string; keys: KeyPairPem }[]): { id: string; publicPem: string }[] {
  return list.map((m) => ({ id: m.id, publicPem: m.keys.publicPem }));
}

/** Runs a baseline over plain TCP and, unless disabled, again behind TLS. */
export async function bothTransports<T>(ctx: PhaseContext, run: (tls: BareTls | undefined) => Promise<T>): Promise<{ tcp: T; tls: T | undefined }> {
  const tcp = await run(undefined);
  const tls = ctx.options.tlsBaseline ? await run(ctx.bareTls) : undefined;
  return { tcp, tls };
}

/** Counts distinct things (jids, ids, event numbers) and how many arrived again. */
export class Tally {
  readonly seen = new Set<string>();
  duplicates = 0;
  last = 0;

  add(key: string): void {
    if (this.seen.has(key)) this.duplicates++;
    else this.seen.add(key);
    this.last = Date.now();
  }

  get size(): number {
    return this.seen.size;
  }
}

/** Waits until `done()` or until nothing new arrived for `stallMs` (a loss), polling `count()`. */
export async function waitFor(done: () => boolean, count: () => number, stallMs: number, hardMs = 30 * 60_000): Promise<boolean> {
  const hard = Date.now() + hardMs;
  let lastCount = count();
  let lastChange = Date.now();
  while (!done()) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    const now = count();
    if (now !== lastCount) {
      lastCount = now;
      lastChange = Date.now();
    }
    if (Date.now() - lastChange > stallMs || Date.now() > hard) return false;
  }
  return true;
}

export type { Figure };
