/**
 * User and group lookups through NSS (`getent`), as Salt's pwd/grp calls see them, so LDAP and sssd
 * accounts resolve too. Names are names and integers are ids, as in Salt's user_to_uid/group_to_gid.
 */
import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { runQuiet } from '../process/quiet.js';
import { lookupUser, type PasswdEntry } from '../process/users.js';

export interface GroupEntry {
  name: string;
  passwd: string;
  gid: number;
  members: string[];
}

/** A passwd entry by name (a string) or by uid (a number). */
export async function findUser(user: string | number): Promise<PasswdEntry | undefined> {
  if (typeof user === 'string' && /^\d+$/.test(user)) {
    // getent would read a numeric string as a uid; Salt's getpwnam only looks names up
    const entry = await lookupUser(user);
    return entry?.name === user ? entry : undefined;
  }
  return lookupUser(String(user));
}

/** A group entry by name (a string) or by gid (a number). */
export async function findGroup(group: string | number): Promise<GroupEntry | undefined> {
  const key = String(group);
  const res = await runQuiet('getent', ['group', key]);
  let line: string | undefined;
  if (res !== undefined) line = res.code === 0 ? res.stdout.split('\n')[0] : undefined;
  else {
    const text = await readFile('/etc/group', 'utf8').catch(() => '');
    line = text.split('\n').find((l) => (typeof group === 'number' ? l.split(':')[2] === key : l.split(':')[0] === key));
  }
  if (!line) return undefined;
  const [name, passwd, gid, members] = line.split(':');
  if (name === undefined || gid === undefined) return undefined;
  if (typeof group === 'string' && name !== group) return undefined;
  return { name, passwd: passwd ?? '', gid: Number(gid), members: members ? members.split(',').filter(Boolean) : [] };
}

/** Salt's user_to_uid: the uid, or undefined when there is no such user. */
export async function uidOf(user: string | number): Promise<number | undefined> {
  if (typeof user === 'number') return user;
  return (await findUser(user))?.uid;
}

/** Salt's group_to_gid: the gid, or undefined when there is no such group. */
export async function gidOf(group: string | number): Promise<number | undefined> {
  if (typeof group === 'number') return group;
  return (await findGroup(group))?.gid;
}

/** Salt's uid_to_user: the name, or the number itself when the uid has no entry. */
export async function userNameOf(uid: number): Promise<string> {
  return (await lookupUser(String(uid)))?.name ?? String(uid);
}

/** Salt's gid_to_group: the name, or the number itself when the gid has no entry. */
export async function groupNameOf(gid: number): Promise<string> {
  return (await findGroup(gid))?.name ?? String(gid);
}

/** Salt's salt.utils.user.get_group_list: every group the user is in, the primary one included, sorted. */
export async function groupListOf(user: string): Promise<string[]> {
  const res = await runQuiet('id', ['-Gn', user]);
  if (res === undefined || res.code !== 0) return [];
  return [...new Set(res.stdout.trim().split(/\s+/).filter(Boolean))].sort();
}

/** The account the minion runs as (Salt's opts['user']). */
export function minionUser(): { name: string; uid: number; gid: number } {
  const me = userInfo();
  return { name: me.username, uid: me.uid, gid: me.gid };
}
