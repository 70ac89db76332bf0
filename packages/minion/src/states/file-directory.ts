/**
 * Salt's file.directory: create a directory, enforce its owner and mode (optionally recursively)
 * and, with `clean`, remove what no required file state manages.
 */
import { rename, rm } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative } from 'node:path';
import type { StateFunction, StateResult } from '@saltmq/common';
import { owner } from './file-managed.js';
import { checkPerms, checkUser, fileMeta, makeDir, makeParentDirs, normalizeMode, sameOwner } from './file-perms.js';
import { notExcluded, walk, type WalkEntry } from './file-walk.js';
import { asBool, fail, isDir, isRecord, lstatOrUndefined, newRet, optStr, pyRepr, statOrUndefined } from './util.js';

type Owner = string | number | undefined;
const RECURSE_TYPES = ['user', 'group', 'mode', 'ignore_files', 'ignore_dirs', 'silent'];

/** Salt's `_get_recurse_set`, with its error texts. */
function recurseSet(recurse: unknown): Set<string> | string {
  if (recurse === undefined || recurse === null || recurse === false || (Array.isArray(recurse) && recurse.length === 0)) return new Set();
  if (!Array.isArray(recurse)) return '"recurse" must be formed as a list of strings';
  const set = new Set(recurse.map(String));
  if ([...set].some((r) => !RECURSE_TYPES.includes(r))) return `Types for "recurse" limited to ${RECURSE_TYPES.map((t) => `"${t}"`).join(', ')}.`;
  if (set.has('ignore_files') && set.has('ignore_dirs')) return 'Must not specify "recurse" options "ignore_files" and "ignore_dirs" at the same time.';
  return set;
}

/** Salt's `_check_dir_meta`. */
async function dirMeta(path: string, user: Owner, group: Owner, mode: string | undefined, follow: boolean): Promise<Record<string, unknown>> {
  const st = await fileMeta(path, follow);
  if (!st) return { directory: 'new' };
  const changes: Record<string, unknown> = {};
  if (user !== undefined && !sameOwner(user, st.user, st.uid)) changes.user = user;
  if (group !== undefined && !sameOwner(group, st.group, st.gid)) changes.group = group;
  if (mode !== undefined && mode !== st.mode && (follow || st.type !== 'link')) changes.mode = mode;
  return changes;
}

/**
 * Salt's `_gen_keep_files`: the name itself plus what `require`d file states manage. Salt resolves
 * requisites through the low state; here a `- file: <absolute path>` entry is kept (with everything
 * under it when it is a directory inside `name`).
 */
async function keepFiles(name: string, require: unknown, walked: WalkEntry[]): Promise<Set<string>> {
  const keep = new Set<string>([name]);
  for (const req of Array.isArray(require) ? require : []) {
    const path = isRecord(req) ? optStr(req.file) : undefined;
    if (!path || !isAbsolute(path)) continue;
    keep.add(path);
    if ((await isDir(path)) && !relative(name, path).startsWith('..')) {
      for (const [root, dirs, files] of walked) {
        if (root === path || root.startsWith(`${path}/`)) for (const entry of [...dirs, ...files]) keep.add(join(root, entry));
      }
    }
  }
  // Salt's _find_keep_files: the ancestors of a kept path are kept too
  for (const path of [...keep]) for (let d = dirname(path); d !== dirname(d); d = dirname(d)) keep.add(d);
  return keep;
}

interface DirOptions { user: Owner; group: Owner; recurse: Set<string>; dirMode: string | undefined; fileMode: string | undefined; clean: boolean; require: unknown; excludePat: unknown; maxDepth: number | undefined; follow: boolean }

/** Salt's `_check_directory`: the predicted changes and the test-mode comment. */
async function checkDirectory(name: string, o: DirOptions): Promise<[boolean | null, string, Record<string, Record<string, unknown>>]> {
  const changes: Record<string, Record<string, unknown>> = {};
  const walked = o.recurse.size > 0 || o.clean ? await walk(name, o.maxDepth) : [];
  if (o.recurse.size > 0) {
    const user = o.recurse.has('user') ? o.user : undefined;
    const group = o.recurse.has('group') ? o.group : undefined;
    const dirMode = o.recurse.has('mode') ? o.dirMode : undefined;
    const fileMode = o.recurse.has('mode') ? o.fileMode : undefined;
    for (const [root, dirs, files] of walked) {
      if (!o.recurse.has('ignore_files')) {
        for (const f of files) {
          const path = join(root, f);
          const change = await dirMeta(path, user, group, fileMode, o.follow);
          delete change.directory;
          if (Object.keys(change).length > 0) changes[path] = change;
        }
      }
      if (!o.recurse.has('ignore_dirs')) {
        for (const d of dirs) {
          const change = await dirMeta(join(root, d), user, group, dirMode, o.follow);
          if (Object.keys(change).length > 0) changes[join(root, d)] = change;
        }
      }
    }
  }
  const own = await dirMeta(name, o.user, o.group, o.dirMode, o.follow);
  if (Object.keys(own).length > 0) changes[name] = own;
  if (o.clean) {
    const keep = await keepFiles(name, o.require, walked);
    for (const [root, dirs, files] of walked) {
      for (const entry of [...files, ...dirs]) {
        const path = join(root, entry);
        if (!keep.has(path) && notExcluded(relative(name, path), o.excludePat)) changes[path] = { removed: 'Removed due to clean' };
      }
    }
  }
  if (!(await isDir(name))) changes[name] = { directory: 'new' };
  if (Object.keys(changes).length === 0) return [true, `The directory ${name} is in the correct state`, changes];
  const lines = ['The following files will be changed:\n'];
  for (const [path, change] of Object.entries(changes)) for (const [key, val] of Object.entries(change)) lines.push(`${path}: ${key} - ${pyRepr(val, true)}\n`);
  return [null, lines.join(''), changes];
}

export const directory: StateFunction = async (rawName, args, ctx) => {
  let name = rawName;
  if (name.length > 1 && name.endsWith('/')) name = name.slice(0, -1);
  const ret: StateResult = newRet(name);
  if (!name) return fail(ret, 'Must provide name to file.directory');
  const maxDepth = args.max_depth === undefined || args.max_depth === null ? undefined : Number(args.max_depth);
  const clean = asBool(args.clean, false);
  if (maxDepth !== undefined && clean) return fail(ret, 'Cannot specify both max_depth and clean');
  const user = owner(args.user ?? args.owner);
  const group = owner(args.group);
  const dirMode = normalizeMode(args.dir_mode ?? args.mode);
  const fileMode = normalizeMode(args.file_mode ?? args.dir_mode ?? args.mode);
  const userErr = await checkUser(user, group);
  if (userErr && !ctx.test) return fail(ret, userErr);
  if (!isAbsolute(name)) return fail(ret, `Specified file ${name} is not an absolute path`);
  const force = asBool(args.force, false);
  const link = await lstatOrUndefined(name);
  const isLink = link?.isSymbolicLink() ?? false;
  const isFile = (await statOrUndefined(name))?.isFile() ?? false;
  if (isFile || (isLink && (!asBool(args.allow_symlink, true) || force))) {
    const backupname = optStr(args.backupname);
    if (backupname !== undefined) {
      if (await lstatOrUndefined(backupname)) {
        if (!force) return fail(ret, `File exists where the backup target ${backupname} should go`);
        await rm(backupname, { recursive: true, force: true });
      }
      await rename(name, backupname);
    } else if (force) {
      const what = isFile ? 'File' : 'Symlink';
      ret.changes.forced = `${what} ${ctx.test ? 'would be' : 'was'} forcibly replaced`;
      if (!ctx.test) await rm(name, { force: true });
    } else if (isFile) return fail(ret, `Specified location ${name} exists and is a file`);
    else return fail(ret, `Specified location ${name} exists and is a symlink`);
  }
  const recurse = recurseSet(args.recurse);
  if (typeof recurse === 'string') return fail(ret, recurse);
  const follow = asBool(args.follow_symlinks, false);
  const o: DirOptions = { user, group, recurse, dirMode, fileMode, clean, require: ctx.chunk.require, excludePat: args.exclude_pat, maxDepth, follow };
  const [tresult, tcomment, tchanges] = await checkDirectory(name, o);
  Object.assign(ret.changes, tchanges);
  if (ctx.test || Object.keys(ret.changes).length === 0) return { ...ret, result: tresult, comment: tcomment };

  if (!(await isDir(name))) {
    if (!(await isDir(dirname(name)))) {
      if (!asBool(args.makedirs, false)) return fail(ret, `No directory to create ${name} in`);
      await makeParentDirs(name, { user, group, mode: dirMode });
    }
    await makeDir(name, { user, group, mode: dirMode });
    if (!(await isDir(name))) return fail(ret, `Failed to create directory ${name}`);
    // Salt 3005+ returns here without a comment (older releases fell through to 'Directory <n> updated')
    ret.changes[name] = { directory: 'new' };
    return ret;
  }
  const childrenOnly = asBool(args.children_only, false);
  if (!childrenOnly) await checkPerms(name, ret, { user, group, mode: dirMode, followSymlinks: follow, test: false });
  return finishDirectory(name, ret, o, childrenOnly);
};

/** The recursive ownership pass, clean, and Salt's closing comments. */
async function finishDirectory(name: string, ret: StateResult, o: DirOptions, childrenOnly: boolean): Promise<StateResult> {
  const walked = o.recurse.size > 0 || o.clean ? await walk(name, o.maxDepth) : [];
  if (o.recurse.size > 0) {
    if (o.recurse.has('user') && o.user === undefined) return fail(ret, 'user not specified, but configured as a target for recursive ownership management');
    if (o.recurse.has('group') && o.group === undefined) return fail(ret, 'group not specified, but configured as a target for recursive ownership management');
    const user = o.recurse.has('user') ? o.user : undefined;
    const group = o.recurse.has('group') ? o.group : undefined;
    const mode = o.recurse.has('mode');
    for (const [root, dirs, files] of walked) {
      const perms = { user, group, followSymlinks: o.follow, test: false };
      if (!o.recurse.has('ignore_files')) for (const f of files) await checkPerms(join(root, f), ret, { ...perms, mode: mode ? o.fileMode : undefined });
      if (!o.recurse.has('ignore_dirs')) for (const d of dirs) await checkPerms(join(root, d), ret, { ...perms, mode: mode ? o.dirMode : undefined });
    }
    // after the loop, as fixed upstream (#60597): silent replaces every per-path change
    if (o.recurse.has('silent')) ret.changes = { recursion: 'Changes silenced' };
  }
  if (o.clean) {
    const keep = await keepFiles(name, o.require, walked);
    const removed: string[] = [];
    for (const [root, dirs, files] of walked) {
      for (const entry of [...dirs, ...files]) {
        const path = join(root, entry);
        if (keep.has(path) || !notExcluded(relative(name, path), o.excludePat) || removed.some((r) => path.startsWith(`${r}/`))) continue;
        removed.push(path);
        await rm(path, { recursive: true, force: true });
      }
    }
    if (removed.length > 0) {
      ret.changes.removed = removed.sort();
      ret.comment = `Files cleaned from directory ${name}`;
    }
  }
  if (!ret.comment) {
    if (childrenOnly) ret.comment = `Directory ${name}/* updated`;
    else if (Object.keys(ret.changes).length > 0) ret.comment = `Directory ${name} updated`;
  }
  if (Object.keys(ret.changes).length === 0 && ret.result) {
    ret.comment = ret.comment ? `Directory ${name} is in the correct state\n${ret.comment}` : `Directory ${name} is in the correct state`;
  }
  return ret;
}
