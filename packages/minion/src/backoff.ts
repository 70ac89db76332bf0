/**
 * The wait before reconnect attempt `attempt` (0-based): doubling from `base` up to `max`, and with
 * jitter a random point between half and all of it, so a fleet that lost its master together does
 * not come back in lockstep.
 */
export function backoffDelay(attempt: number, base: number, max: number, jitter: boolean): number {
  const ceiling = Math.min(max, base * 2 ** Math.min(attempt, 30));
  return jitter ? ceiling / 2 + Math.random() * (ceiling / 2) : ceiling;
}
