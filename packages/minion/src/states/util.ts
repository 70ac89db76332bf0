/**
 * Small helpers every state module shares: Salt's return skeleton, Python-like reading of YAML
 * arguments, and the few Python formatting rules Salt's comments depend on.
 */
import { lstat, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import type { StateResult } from '@saltmq/common';
import { asBool, pyStr } from '../process/options.js';

export { asBool, pyStr };

/** Salt's opening `ret = {'name': name, 'changes': {}, 'result': True, 'comment': ''}`. */
export function newRet(name: string, result: boolean | null = true, comment = ''): StateResult {
  return { name, changes: {}, result, comment };
}

/** Salt's `_error(ret, msg)`: result False with the message as comment. */
export function fail(ret: StateResult, comment: string): StateResult {
  ret.result = false;
  ret.comment = comment;
  return ret;
}

/** A YAML mapping (not a list, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An optional argument as a string: None (null/undefined) stays undefined, scalars become str(). */
export function optStr(value: unknown): string | undefined {
  return value === undefined || value === null ? undefined : pyStr(value);
}

/** Python truthiness, for arguments Salt tests with a bare `if x:`. */
export function truthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (isRecord(value)) return Object.keys(value).length > 0;
  return true;
}

/** Salt's `_validate_str_list`: a string becomes [s], a list has every item str()-ed, anything else [str(x)]. */
export function strList(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.map((item) => (typeof item === 'string' ? item : pyRepr(item, true)));
  return [pyRepr(value, true)];
}

/** A list argument that YAML may give as a comma string (Salt's split_input), or undefined when absent. */
export function optList(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value.map((v) => pyStr(v));
  return pyStr(value).split(',').map((s) => s.trim()).filter(Boolean);
}

/**
 * Python's repr() of YAML data (str() when `asStr` and the value is a string), for comments such as
 * `groups: ['wheel', 'adm']` that Salt builds with format().
 */
export function pyRepr(value: unknown, asStr = false): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') {
    if (asStr) return value;
    const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
    const body = value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
    return quote + (quote === "'" ? body.replace(/'/g, "\\'") : body) + quote;
  }
  if (Array.isArray(value)) return `[${value.map((v) => pyRepr(v)).join(', ')}]`;
  if (isRecord(value)) return `{${Object.entries(value).map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`).join(', ')}}`;
  return String(value);
}

/** The state's own keyword arguments: the engine's private `__reqs__`-style keys are dropped. */
export function ownArgs(args: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(args)) if (!key.startsWith('__')) out[key] = value;
  return out;
}

/** lstat that answers undefined for a missing path instead of throwing. */
export async function lstatOrUndefined(path: string): Promise<Stats | undefined> {
  return lstat(path).catch(() => undefined);
}

/** stat (following links) that answers undefined for a missing path or a dangling link. */
export async function statOrUndefined(path: string): Promise<Stats | undefined> {
  return stat(path).catch(() => undefined);
}

/** os.path.isdir: follows symlinks. */
export async function isDir(path: string): Promise<boolean> {
  return (await statOrUndefined(path))?.isDirectory() ?? false;
}

/** os.path.isfile: follows symlinks. */
export async function isFile(path: string): Promise<boolean> {
  return (await statOrUndefined(path))?.isFile() ?? false;
}

/** The message of anything thrown, Python's str(exc). */
export function errText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
