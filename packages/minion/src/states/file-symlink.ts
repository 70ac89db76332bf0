/**
 * Salt's file.symlink: create or retarget a symlink, owned as asked (by default by the minion's user
 * and that user's primary group), replacing a file in the way only with `force` or `backupname`.
 */
import { lchown, readlink, rename, rm, symlink as makeSymlink } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, normalize } from 'node:path';
import type { StateFunction } from '@saltmq/common';
import { gidOf, uidOf, userNameOf, groupNameOf } from './accounts.js';
import { makeParentDirs, normalizeMode, primaryGroupOf } from './file-perms.js';
import { minionUser } from './accounts.js';
import { asBool, errText, fail, isDir, lstatOrUndefined, newRet, optStr, pyStr, statOrUndefined } from './util.js';

/** os.path.normpath: like path.normalize, without a trailing slash. */
function normpath(p: string): string {
  const n = normalize(p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

async function linkOwner(path: string): Promise<[string, string]> {
  const st = await lstatOrUndefined(path);
  return st ? [await userNameOf(st.uid), await groupNameOf(st.gid)] : ['', ''];
}

async function setLinkOwner(path: string, user: string, group: string): Promise<boolean> {
  const uid = await uidOf(user);
  const gid = await gidOf(group);
  if (uid !== undefined && gid !== undefined) await lchown(path, uid, gid).catch(() => undefined);
  const [u, g] = await linkOwner(path);
  return u === user && g === group;
}

export const symlink: StateFunction = async (name, args, ctx) => {
  const ret = newRet(name);
  if (!name) return fail(ret, 'Must provide name to file.symlink');
  const target = pyStr(args.target ?? '');
  const force = asBool(args.force, false);
  const user = optStr(args.user ?? args.owner) ?? minionUser().name;
  const group = optStr(args.group) ?? (await primaryGroupOf(user)) ?? user;
  const errors: string[] = [];
  if ((await uidOf(user)) === undefined) errors.push(`User ${user} does not exist`);
  if ((await gidOf(group)) === undefined) errors.push(`Group ${group} does not exist`);
  if (!isAbsolute(name)) errors.push(`Specified file ${name} is not an absolute path`);
  if (errors.length > 0) return fail(ret, errors.join('. ') + (errors.length > 1 ? '.' : ''));

  // Salt's _symlink_check: what a real run would do
  const link = await lstatOrUndefined(name);
  const isLink = link?.isSymbolicLink() ?? false;
  let tresult: boolean | null = true;
  let tcomment: string;
  const tchanges: Record<string, unknown> = {};
  if (!link) {
    tresult = null;
    tcomment = `Symlink ${name} to ${target} is set for creation`;
    tchanges.new = name;
  } else if (isLink && (await readlink(name)) !== target) {
    tresult = null;
    tcomment = `Link ${name} target is set to be changed to ${target}`;
    tchanges.change = name;
  } else if (isLink) {
    tcomment = `The symlink ${name} is present`;
    const [cu, cg] = await linkOwner(name);
    if (cu !== user || cg !== group) {
      tresult = null;
      tchanges.ownership = `${cu}:${cg}`;
      tcomment += `, but the ownership of the symlink would be changed from ${cu}:${cg} to ${user}:${group}`;
    }
  } else if (force) {
    tresult = null;
    tcomment = `The file or directory ${name} is set for removal to make way for a new symlink targeting ${target}`;
  } else {
    tresult = false;
    tcomment = `File or directory exists where the symlink ${name} should be. Did you mean to use force?`;
  }

  if (!(await isDir(dirname(name)))) {
    if (asBool(args.makedirs, false)) {
      if (ctx.test) tcomment += `\n${dirname(name)} will be created`;
      else await makeParentDirs(name, { user, group, mode: normalizeMode(args.mode) });
    } else if (ctx.test) {
      tcomment += `\nDirectory ${dirname(name)} for symlink is not present`;
    } else {
      return fail(ret, `Directory ${dirname(name)} for symlink is not present`);
    }
  }
  if (ctx.test) return { ...ret, result: tresult, comment: tcomment, changes: tchanges };

  if (isLink) {
    if (normpath(await readlink(name)) !== normpath(target)) await rm(name);
    else {
      const [cu, cg] = await linkOwner(name);
      if (cu === user && cg === group) ret.comment = `Symlink ${name} is present and owned by ${user}:${group}`;
      else if (await setLinkOwner(name, user, group)) {
        ret.comment = `Set ownership of symlink ${name} to ${user}:${group}`;
        ret.changes.ownership = `${user}:${group}`;
      } else {
        ret.result = false;
        ret.comment += `Failed to set ownership of symlink ${name} to ${user}:${group}`;
      }
      return ret;
    }
  } else if (link) {
    const backupname = optStr(args.backupname);
    if (backupname !== undefined) {
      let dest = backupname;
      if (!isAbsolute(dest)) {
        if (dest !== basename(dest)) return fail(ret, `Backupname must be an absolute path or a file name: ${backupname}`);
        dest = join(dirname(normpath(name)), dest);
      }
      if (await lstatOrUndefined(dest)) {
        if (!force) return fail(ret, `Symlink & backup dest exists and Force not set. ${name} -> ${target} - backup: ${dest}`);
        await rm(dest, { recursive: true, force: true });
      }
      try {
        await rename(name, dest);
      } catch (error) {
        return fail(ret, `Unable to rename ${name} to backup ${dest} -> : ${errText(error)}`);
      }
    } else if (force) {
      await rm(name, { recursive: true, force: true });
    } else {
      const followed = await statOrUndefined(name);
      const kind = followed?.isFile() ? 'File' : followed?.isDirectory() ? 'Directory' : 'File system entry';
      return fail(ret, `${kind} exists where the symlink ${name} should be`);
    }
  }
  try {
    await makeSymlink(target, name);
  } catch (error) {
    return fail(ret, `Unable to create new symlink ${name} -> ${target}: ${errText(error)}`);
  }
  ret.comment = `Created new symlink ${name} -> ${target}`;
  ret.changes.new = name;
  const [cu, cg] = await linkOwner(name);
  if ((cu !== user || cg !== group) && !(await setLinkOwner(name, user, group))) {
    ret.result = false;
    ret.comment += `, but was unable to set ownership to ${user}:${group}`;
  }
  return ret;
};
