/**
 * Salt's two clocks on the wire: `_stamp` (UTC, Python isoformat with microseconds, no zone suffix) and
 * the jid (local time as 20 digits, microsecond resolution). JavaScript clocks give milliseconds, so the
 * microsecond digits come from the monotonic clock's fraction.
 */
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const ORIGIN_US = BigInt(Date.now()) * 1000n - BigInt(Math.round(performance.now() * 1000));

/** Microseconds since the epoch. */
export function nowMicros(): bigint {
  return ORIGIN_US + BigInt(Math.round(performance.now() * 1000));
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Python's `datetime.utcnow().isoformat()`: the fraction is left out when it is exactly zero. */
export function saltStamp(micros: bigint = nowMicros()): string {
  const date = new Date(Number(micros / 1000n));
  const us = Number(micros % 1_000_000n);
  const base =
    `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}` +
    `T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
  return us === 0 ? base : `${base}.${pad(us, 6)}`;
}

function localDigits(micros: bigint): string {
  const d = new Date(Number(micros / 1000n));
  return (
    `${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}${pad(d.getHours())}${pad(d.getMinutes())}` +
    `${pad(d.getSeconds())}${pad(Number(micros % 1_000_000n), 6)}`
  );
}

/**
 * Makes Salt jids: 20 digits of local time to the microsecond. Unique and increasing within one
 * process even for thousands of jobs in one millisecond: a clash takes the next free microsecond,
 * which is what Salt's `unique_jid` does.
 */
export class JidFactory {
  #last = 0n;
  next(): string {
    let micros = nowMicros();
    if (micros <= this.#last) micros = this.#last + 1n;
    this.#last = micros;
    return localDigits(micros);
  }
  /** Makes sure later jids sort after one seen before (the newest stored jid after a restart). */
  advancePast(jid: string): void {
    const micros = jidToMicros(jid);
    if (micros !== undefined && micros > this.#last) this.#last = micros;
  }
}

/** Salt's `is_jid`: 20 digits (a `_suffix` is allowed after them). */
export function isJid(value: unknown): value is string {
  return typeof value === 'string' && /^\d{20}(?:_.+)?$/.test(value);
}

/** Reads a jid back into microseconds since the epoch, in local time as it was written. */
export function jidToMicros(jid: string): bigint | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{6})/.exec(jid);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, us] = m.map(Number) as [number, number, number, number, number, number, number, number];
  const ms = new Date(y, mo - 1, d, h, mi, s).getTime();
  return BigInt(ms) * 1000n + BigInt(us);
}

/** Salt's `jid_to_time`: `2015, Feb 13 00:19:05.721678`, the StartTime of the jobs runner. */
export function jidToTime(jid: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{6})/.exec(jid);
  if (!m) return '';
  return `${m[1]}, ${MONTHS[Number(m[2]) - 1]} ${m[3]} ${m[4]}:${m[5]}:${m[6]}.${m[7]}`;
}

/** Python's `time.asctime()`: `Mon Feb 13 00:19:05 2015` (day of month padded with a space). */
export function asctime(date: Date = new Date()): string {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  return (
    `${days[date.getDay()]} ${MONTHS[date.getMonth()]} ${String(date.getDate()).padStart(2, ' ')} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())} ${date.getFullYear()}`
  );
}
