/**
 * The `arg` list of a published job: how the `salt` CLI builds it (salt/utils/args.py `parse_input`
 * and `condition_input`) and how a minion splits it back into positional and keyword arguments
 * (salt/minion.py `load_args_and_kwargs`).
 */
import { setOwn, yamlifyArg } from './yamlify.js';

/**
 * Salt's KWARG_REGEX `^([^\d\W][\w.-]*)=(?!=)(.*)$`: a name that does not start with a digit, then
 * one '='. Python's `.` stops at a line break and its `$` may sit before one final newline.
 */
const KWARG_RE = /^([\p{L}\p{Nl}\p{No}_][\p{L}\p{N}_.-]*)=(?!=)([^\n]*)\n?$/u;

/** Options of parseCliArgs, mirroring the `salt` CLI flags that affect argument parsing. */
export interface ParseCliArgsOptions {
  /** Keyword names whose values are kept as typed, not YAML-loaded (`salt --no-parse`). @default [] */
  noParse?: readonly string[];
}

/** Salt's `parse_kwarg`: `'name=value'` → `['name', 'value']`, or undefined for anything else. */
export function parseKwarg(arg: string): [name: string, value: string] | undefined {
  const m = KWARG_RE.exec(arg);
  return m ? [m[1]!, m[2]!] : undefined;
}

/**
 * The published `arg` list for CLI arguments (`parse_input(args, condition=True)`): each positional
 * argument is YAML-loaded, and every `key=value` goes into one dict `{ __kwarg__: true, ... }`
 * appended at the end. Dicts already marked `__kwarg__: true` (API input) are merged into it too.
 */
export function parseCliArgs(args: readonly unknown[], options: ParseCliArgsOptions = {}): unknown[] {
  const noParse = options.noParse ?? [];
  const positional: unknown[] = [];
  const kwargs: Record<string, unknown> = {};
  for (const arg of args) {
    if (typeof arg === 'string') {
      const kwarg = parseKwarg(arg);
      if (kwarg === undefined) positional.push(yamlifyArg(arg));
      else setOwn(kwargs, kwarg[0], noParse.includes(kwarg[0]) ? kwarg[1] : yamlifyArg(kwarg[1]));
    } else if (isMarkedKwarg(arg)) {
      for (const [key, value] of Object.entries(arg)) if (key !== '__kwarg__') setOwn(kwargs, key, value);
    } else {
      positional.push(withoutMarker(arg));
    }
  }
  if (Object.keys(kwargs).length === 0) return positional;
  // condition_input: the marker first, then the kwargs (a user's own `__kwarg__=` overwrites it, as in Salt).
  const packed: Record<string, unknown> = { __kwarg__: true };
  for (const [key, value] of Object.entries(kwargs)) setOwn(packed, key, value);
  return [...positional, packed];
}

/**
 * The minion side (`load_args_and_kwargs`): dicts marked `__kwarg__: true` become keyword arguments
 * (the marker dropped; later keys win), and so does a positional string of the form `key=value`,
 * with its value YAML-loaded. Everything else stays positional, exactly as published; strings are
 * not YAML-loaded a second time.
 */
export function splitArgs(arg: readonly unknown[]): { args: unknown[]; kwargs: Record<string, unknown> } {
  const args: unknown[] = [];
  const kwargs: Record<string, unknown> = {};
  for (const item of arg) {
    if (isMarkedKwarg(item)) {
      for (const [key, value] of Object.entries(item)) if (key !== '__kwarg__') setOwn(kwargs, key, value);
      continue;
    }
    const kwarg = typeof item === 'string' ? parseKwarg(item) : undefined;
    if (kwarg !== undefined) setOwn(kwargs, kwarg[0], yamlifyArg(kwarg[1]));
    else args.push(withoutMarker(item));
  }
  return { args, kwargs };
}

function isMarkedKwarg(value: unknown): value is Record<string, unknown> {
  return isDict(value) && value.__kwarg__ === true;
}

/** Salt pops `__kwarg__` before testing it, so a dict marked with anything but True loses the key. */
function withoutMarker(value: unknown): unknown {
  if (!isDict(value) || !Object.hasOwn(value, '__kwarg__')) return value;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) if (key !== '__kwarg__') setOwn(copy, key, item);
  return copy;
}

function isDict(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
