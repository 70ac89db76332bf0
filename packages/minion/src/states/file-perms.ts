/**
 * Ownership and mode, as Salt's file module handles them (salt/modules/file.py check_perms, stats,
 * makedirs_, and salt.utils.files.normalize_mode).
 */
import { chmod, chown, lchown, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { StateResult } from '@saltmq/common';
import { gidOf, groupNameOf, uidOf, userNameOf, findGroup, findUser } from './accounts.js';
import { isDir, lstatOrUndefined, statOrUndefined } from './util.js';

/**
 * Salt's normalize_mode: str(mode) without quotes and leading zeros, zero-padded to four digits. So
 * YAML `644` (an int) and `'0644'` both mean 0644, as Salt reads them.
 */
export function normalizeMode(mode: unknown): string | undefined {
  if (mode === undefined || mode === null) return undefined;
  const text = String(mode).replace('0o', '0').replace(/^["']+|["']+$/g, '').replace(/^0+/, '');
  return text.padStart(4, '0');
}

/** The numeric permission bits of a normalized mode; undefined when it is not octal. */
export function modeBits(mode: string): number | undefined {
  return /^[0-7]{1,4}$/.test(mode) ? parseInt(mode, 8) : undefined;
}

/** What Salt's file.stats reports and its states compare against. */
export interface FileMeta {
  user: string;
  group: string;
  uid: number;
  gid: number;
  /** normalized, e.g. '0644' */
  mode: string;
  type: 'file' | 'dir' | 'link' | 'other';
}

export async function fileMeta(path: string, followSymlinks: boolean): Promise<FileMeta | undefined> {
  const st = followSymlinks ? await statOrUndefined(path) : await lstatOrUndefined(path);
  if (!st) return undefined;
  const type = st.isSymbolicLink() ? 'link' : st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
  return {
    user: await userNameOf(st.uid),
    group: await groupNameOf(st.gid),
    uid: st.uid,
    gid: st.gid,
    mode: normalizeMode((st.mode & 0o7777).toString(8))!,
    type,
  };
}

/** Salt's `_check_user`: the missing user and group, in Salt's words ('' when both exist). */
export async function checkUser(user: unknown, group: unknown): Promise<string> {
  let err = '';
  if (user !== undefined && user !== null && user !== '' && (await uidOf(user as string | number)) === undefined) {
    err += `User ${String(user)} is not available `;
  }
  if (group !== undefined && group !== null && group !== '' && (await gidOf(group as string | number)) === undefined) {
    err += `Group ${String(group)} is not available`;
  }
  return err;
}

/** Same as the user Salt compares: a name matches the owner's name, an int matches the uid. */
export function sameOwner(wanted: string | number, name: string, id: number): boolean {
  return typeof wanted === 'number' ? wanted === id : wanted === name || wanted === String(id);
}

/**
 * Salt's check_perms: chown/chmod `path` as asked and record what changed under `ret.changes` (user,
 * group, mode). In test mode nothing is touched and the would-be changes are recorded instead. Failed
 * changes turn the result False with Salt's 'Failed to change ...' comments, joined with '; '.
 */
export async function checkPerms(
  path: string,
  ret: StateResult,
  o: { user?: string | number | undefined; group?: string | number | undefined; mode?: string | undefined; followSymlinks: boolean; test: boolean },
): Promise<{ lmode: string | undefined }> {
  const origComment = ret.comment;
  const comments: string[] = [];
  const cur = await fileMeta(path, o.followSymlinks);
  if (!cur) throw new Error(`${path}: File not found`);
  const isLink = (await lstatOrUndefined(path))?.isSymbolicLink() ?? false;
  const user = o.user === undefined || o.user === '' ? undefined : typeof o.user === 'number' ? await userNameOf(o.user) : o.user;
  const group = o.group === undefined || o.group === '' ? undefined : typeof o.group === 'number' ? await groupNameOf(o.group) : o.group;
  const wantUser = user !== undefined && user !== cur.user;
  const wantGroup = group !== undefined && group !== cur.group;

  if ((wantUser || wantGroup) && !o.test) {
    const uid = wantUser ? await uidOf(user) : -1;
    const gid = wantGroup ? await gidOf(group) : -1;
    const change = isLink && !o.followSymlinks ? lchown : chown;
    if (uid !== undefined && gid !== undefined) await change(path, uid, gid).catch(() => undefined);
  }
  const after = o.test ? cur : await fileMeta(path, o.followSymlinks);
  if (user !== undefined && after && user !== after.user) {
    if (o.test) ret.changes.user = user;
    else comments.push(`Failed to change user to ${user}`);
  } else if (wantUser) ret.changes.user = user;
  if (group !== undefined && after && group !== after.group) {
    if (o.test) ret.changes.group = group;
    else comments.push(`Failed to change group to ${group}`);
  } else if (wantGroup) ret.changes.group = group;

  // a symlink's own mode cannot be changed on Linux: Salt skips it unless following links
  if (o.mode !== undefined && !(isLink && !o.followSymlinks) && o.mode !== cur.mode) {
    if (o.test) ret.changes.mode = o.mode;
    else {
      const bits = modeBits(o.mode);
      if (bits !== undefined) await chmod(path, bits).catch(() => undefined);
      const now = await fileMeta(path, o.followSymlinks);
      if (now?.mode !== o.mode) comments.push(`Failed to change mode to ${o.mode}`);
      else ret.changes.mode = o.mode;
    }
  }
  if (comments.length > 0) ret.result = false;
  ret.comment = [...(origComment ? [origComment] : []), ...comments].join('; ');
  if (o.test && Object.keys(ret.changes).length > 0) ret.result = null;
  return { lmode: cur.mode };
}

/**
 * Salt's makedirs_: creates the missing ancestors of `path` (not `path` itself), each owned and
 * moded as asked.
 */
export async function makeParentDirs(path: string, o: { user?: string | number | undefined; group?: string | number | undefined; mode?: string | undefined }): Promise<void> {
  const missing: string[] = [];
  for (let dir = dirname(path); !(await isDir(dir)); dir = dirname(dir)) {
    if (dirname(dir) === dir) break;
    missing.unshift(dir);
  }
  for (const dir of missing) await makeDir(dir, o);
}

/** One os.mkdir plus check_perms, as Salt's makedirs_perms does for each directory it creates. */
export async function makeDir(dir: string, o: { user?: string | number | undefined; group?: string | number | undefined; mode?: string | undefined }): Promise<void> {
  await mkdir(dir);
  const scratch: StateResult = { name: dir, changes: {}, result: true, comment: '' };
  await checkPerms(dir, scratch, { ...o, followSymlinks: true, test: false });
}

/** Salt's file.user_to_uid-style existence check used by symlink: the user's primary group name. */
export async function primaryGroupOf(user: string): Promise<string | undefined> {
  const entry = await findUser(user);
  if (!entry) return undefined;
  return (await findGroup(entry.gid))?.name ?? String(entry.gid);
}

/** The process umask, read from /proc (process.umask() without an argument is deprecated). */
export async function currentUmask(): Promise<number> {
  const status = await readFile('/proc/self/status', 'utf8').catch(() => '');
  const match = /^Umask:\s*([0-7]+)/m.exec(status);
  return match?.[1] ? parseInt(match[1], 8) : 0o022;
}
