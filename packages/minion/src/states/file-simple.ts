/**
 * The small file states: absent, exists, missing and touch, in Salt's words (salt/states/file.py).
 */
import { open, rm, utimes } from 'node:fs/promises';
import { dirname, isAbsolute } from 'node:path';
import type { StateFunction, StateResult, StateRunContext } from '@saltmq/common';
import { InvocationError } from '@saltmq/common';
import { makeParentDirs } from './file-perms.js';
import { asBool, errText, fail, isDir, lstatOrUndefined, newRet, statOrUndefined } from './util.js';

export const absent: StateFunction = async (name, _args, ctx) => {
  const ret = newRet(name);
  if (!name) return fail(ret, 'Must provide name to file.absent');
  if (!isAbsolute(name)) return fail(ret, `Specified file ${name} is not an absolute path`);
  if (name === '/') return fail(ret, 'Refusing to make "/" absent');
  const st = await lstatOrUndefined(name);
  const followed = await statOrUndefined(name);
  const kind = st && (st.isSymbolicLink() || followed?.isFile()) ? 'File' : followed?.isDirectory() ? 'Directory' : undefined;
  if (!kind) {
    ret.comment = `File ${name} is not present`;
    return ret;
  }
  if (ctx.test) {
    ret.result = null;
    ret.changes.removed = name;
    ret.comment = `${kind} ${name} is set for removal`;
    return ret;
  }
  try {
    await rm(name, { recursive: kind === 'Directory' });
  } catch (error) {
    return fail(ret, kind === 'Directory' ? `Failed to remove directory ${name}` : errText(error));
  }
  ret.comment = `Removed ${kind.toLowerCase()} ${name}`;
  ret.changes.removed = name;
  return ret;
};

export const exists: StateFunction = async (name) => {
  const ret = newRet(name);
  if (!name) return fail(ret, 'Must provide name to file.exists');
  if (!(await statOrUndefined(name))) return fail(ret, `Specified path ${name} does not exist`);
  ret.comment = `Path ${name} exists`;
  return ret;
};

export const missing: StateFunction = async (name) => {
  const ret = newRet(name);
  if (!name) return fail(ret, 'Must provide name to file.missing');
  if (await statOrUndefined(name)) return fail(ret, `Specified path ${name} exists`);
  ret.comment = `Path ${name} is missing`;
  return ret;
};

/** Salt's file.touch time arguments: integers (or digit strings) of seconds since the epoch. */
function epoch(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' && /^\d+$/.test(value)) return Number(value);
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  throw new InvocationError('atime and mtime must be integers');
}

/** Shared with file.append, which touches a missing file first. */
export function makeTouch(): (name: string, args: Record<string, unknown>, ctx: Pick<StateRunContext, 'test'>) => Promise<StateResult> {
  return async (name, args, ctx) => {
    const ret = newRet(name);
    if (!name) return fail(ret, 'Must provide name to file.touch');
    if (!isAbsolute(name)) return fail(ret, `Specified file ${name} is not an absolute path`);
    const atime = epoch(args.atime);
    const mtime = epoch(args.mtime);
    const st = await statOrUndefined(name);
    if (ctx.test) {
      // Salt's _check_touch; it also leaves {'new': name} in the changes of a file already in
      // order, which we drop: nothing would change
      if (!st) return { ...ret, result: null, comment: `File ${name} is set to be created`, changes: { new: name } };
      const stale = (atime !== undefined && atime !== Math.floor(st.atimeMs / 1000)) || (mtime !== undefined && mtime !== Math.floor(st.mtimeMs / 1000));
      if (stale) return { ...ret, result: null, comment: `Times set to be updated on file ${name}`, changes: { touched: name } };
      return { ...ret, comment: `File ${name} exists and has the correct times` };
    }
    if (asBool(args.makedirs, false)) await makeParentDirs(name, {});
    if (!(await isDir(dirname(name)))) return fail(ret, `Directory not present to touch file ${name}`);
    if (!st) await (await open(name, 'a')).close();
    const now = Date.now() / 1000;
    await utimes(name, atime ?? now, mtime ?? now);
    if (!st) {
      ret.comment = `Created empty file ${name}`;
      ret.changes.new = name;
    } else {
      ret.comment = `Updated times on ${st.isDirectory() ? 'directory' : 'file'} ${name}`;
      ret.changes.touched = name;
    }
    return ret;
  };
}

export const touch: StateFunction = (name, args, ctx) => makeTouch()(name, args, ctx);
