import { BadIdError } from './errors.js';

/** Salt allows long ids; 255 bytes keeps every id a valid file name on every common file system. */
export const MAX_ID_BYTES = 255;

/**
 * Why an id is unsafe, or undefined when it is fine. Ids become file names under pki_dir and whole
 * MQTT topic levels, so anything that could leave a directory or change what a topic filter matches
 * is refused before it touches either (Salt's `valid_id`, plus MQTT's wildcards).
 */
export function idProblem(id: unknown): string | undefined {
  if (typeof id !== 'string') return 'an id must be a string';
  if (id.length === 0) return 'an id must not be empty';
  if (Buffer.byteLength(id, 'utf8') > MAX_ID_BYTES) return `an id must be at most ${MAX_ID_BYTES} bytes`;
  if (id.includes('\0')) return 'an id must not contain NUL';
  if (id.includes('/') || id.includes('\\')) return 'an id must not contain / or \\';
  if (id === '.' || id === '..' || id.includes('..')) return 'an id must not contain ..';
  if (id.includes('+') || id.includes('#')) return 'an id must not contain the MQTT wildcards + or #';
  if (id.startsWith('$')) return 'an id must not start with $';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/.test(id)) return 'an id must not contain control characters';
  if (id.includes('\ufffd')) return 'an id must be valid UTF-8';
  if (/^\s|\s$/.test(id)) return 'an id must not start or end with white space';
  return undefined;
}

/** Throws BadIdError with the reason when the id is unsafe. */
export function assertValidId(id: unknown): asserts id is string {
  const problem = idProblem(id);
  if (problem !== undefined) throw new BadIdError(String(id), problem);
}
