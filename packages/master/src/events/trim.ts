/**
 * Salt's `max_event_size`: an event whose data is too big has its largest values replaced with
 * "VALUE_TRIMMED" until it fits, so one huge return cannot choke every listener.
 */
export function trimEvent<T extends Record<string, unknown>>(data: T, maxBytes: number): T {
  if (Buffer.byteLength(JSON.stringify(data)) <= maxBytes) return data;
  const copy: Record<string, unknown> = { ...data };
  const sizes = Object.entries(copy)
    .filter(([key]) => key !== '_stamp')
    .map(([key, value]) => [key, Buffer.byteLength(JSON.stringify(value) ?? '')] as const)
    .sort((a, b) => b[1] - a[1]);
  for (const [key] of sizes) {
    copy[key] = 'VALUE_TRIMMED';
    if (Buffer.byteLength(JSON.stringify(copy)) <= maxBytes) break;
  }
  return copy as T;
}
