import { InvocationError } from '@saltmq/common';
import { CommandExecutionError } from './errors.js';

/** Salt's loose booleans: YAML already gave us true/false, but strings like 'True' still arrive from kwargs. */
export function asBool(value: unknown, fallback: boolean): boolean {
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'string') return ['true', 'yes', 'on', '1'].includes(value.trim().toLowerCase());
  return Boolean(value);
}

/** Python's str() of a scalar, for env values and messages. */
export function pyStr(value: unknown): string {
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (value === null || value === undefined) return 'None';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** Salt's split_input: a list stays a list, a string splits on commas. */
export function splitInput(value: unknown): string[] {
  if (Array.isArray(value)) return value.map((v) => pyStr(v));
  if (value === undefined || value === null || value === '') return [];
  return pyStr(value).split(',').map((s) => s.trim());
}

/**
 * Salt's `_parse_env`: a dict, or a list of one-key dicts (how YAML lists of `- NAME: value` arrive).
 * Anything else counts as no env, as in Salt. A None value becomes '' (Salt logs an error for it).
 */
export function parseEnv(env: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (obj: object) => {
    for (const [key, value] of Object.entries(obj)) out[key] = value === null || value === undefined ? '' : pyStr(value);
  };
  if (Array.isArray(env)) {
    for (const item of env) if (item !== null && typeof item === 'object' && !Array.isArray(item)) add(item);
  } else if (env !== null && typeof env === 'object') {
    add(env);
  }
  return out;
}

/** Salt's umask handling: octal text or a number, never zero. */
export function parseUmask(umask: unknown): number | undefined {
  if (umask === undefined || umask === null) return undefined;
  const text = pyStr(umask).replace(/^0+/, '');
  if (text === '') throw new CommandExecutionError('Zero umask is not allowed.');
  if (!/^[0-7]+$/.test(text)) throw new CommandExecutionError(`Invalid umask: '${pyStr(umask)}'`);
  return parseInt(text, 8);
}

/** Salt's success_retcodes: a list (or comma string) of integers. */
export function parseRetcodes(value: unknown): number[] {
  if (value === undefined || value === null) return [0];
  const codes = splitInput(value).map((s) => Number(s));
  if (codes.some((n) => !Number.isInteger(n))) throw new InvocationError('success_retcodes must be a list of integers');
  return codes;
}

/** A timeout in seconds: Salt's TimedProc refuses anything that is not a number. 0 means none. */
export function parseTimeout(value: unknown): number | undefined {
  if (value === undefined || value === null || value === 0 || value === false || value === '') return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new InvocationError(`Error: timeout ${pyStr(value)} must be a number`);
  return value;
}

// Salt pins every locale category to C unless the caller set it, because it parses English output.
const LOCALE_KEYS = [
  'LC_CTYPE', 'LC_NUMERIC', 'LC_TIME', 'LC_COLLATE', 'LC_MONETARY', 'LC_MESSAGES', 'LC_PAPER',
  'LC_NAME', 'LC_ADDRESS', 'LC_TELEPHONE', 'LC_MEASUREMENT', 'LC_IDENTIFICATION', 'LANGUAGE',
];

/** Builds the child's environment the way Salt's `_run` does. */
export function buildEnv(
  env: Record<string, string>,
  o: { cleanEnv: boolean; resetLocale: boolean; prependPath?: string | undefined; base?: NodeJS.ProcessEnv },
): Record<string, string> {
  const own = { ...env };
  if (o.resetLocale) for (const key of LOCALE_KEYS) own[key] ??= 'C';
  const result: Record<string, string> = {};
  if (!o.cleanEnv) for (const [k, v] of Object.entries(o.base ?? process.env)) if (v !== undefined) result[k] = v;
  Object.assign(result, own);
  if (o.prependPath) result.PATH = result.PATH ? `${o.prependPath}:${result.PATH}` : o.prependPath;
  // a command must not talk to systemd in the minion's name
  if (!('NOTIFY_SOCKET' in env)) delete result.NOTIFY_SOCKET;
  return result;
}
