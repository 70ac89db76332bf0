/** Small numeric helpers for the figures. */

/** The p-th percentile (0-100) by nearest rank, as latency reports usually give it. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export const round = (value: number, digits = 1): number => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls until the check holds or the time is up; resolves whether it held. */
export async function waitUntil(check: () => boolean, timeoutMs: number, everyMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await sleep(everyMs);
  }
  return true;
}

/** Minion ids the seed reactor accepts (they start with "Min"), zero-padded so they sort. */
export const minionId = (index: number) => `Minion-${String(index + 1).padStart(5, '0')}`;

/** `count` numbers from `first` in `parts` consecutive runs of near-equal size (the last may be short or empty). */
export function splitRange(first: number, count: number, parts: number): { first: number; count: number }[] {
  const share = Math.ceil(count / parts);
  return Array.from({ length: parts }, (_, i) => {
    const start = first + i * share;
    return { first: start, count: Math.max(0, Math.min(share, first + count - start)) };
  });
}
