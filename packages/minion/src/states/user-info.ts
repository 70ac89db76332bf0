/**
 * The account data Salt's useradd/groupadd/shadow modules report (user.info, group.info,
 * shadow.info's passwd), read through getent so NSS accounts show up as Salt sees them.
 */
import { runQuiet } from '../process/quiet.js';
import { findGroup, groupListOf } from './accounts.js';

/** Salt's useradd `_format_info`, key order included. */
export interface UserInfo {
  gid: number;
  groups: string[];
  home: string;
  name: string;
  passwd: string;
  shell: string;
  uid: number;
  fullname: string;
  roomnumber: string;
  workphone: string;
  homephone: string;
  other: string;
  [key: string]: unknown;
}

export async function userInfo(name: string): Promise<UserInfo | undefined> {
  const res = await runQuiet('getent', ['passwd', name]);
  const line = res?.code === 0 ? res.stdout.split('\n')[0] : undefined;
  if (!line) return undefined;
  const [user, passwd, uid, gid, gecos, home, shell] = line.split(':');
  if (user !== name || uid === undefined || gid === undefined) return undefined;
  // GECOS holds up to five comma-separated fields; the last one keeps any further commas
  const parts = (gecos ?? '').split(',');
  const g = [...parts.slice(0, 4), parts.slice(4).join(',')];
  while (g.length < 5) g.push('');
  return {
    gid: Number(gid),
    groups: await groupListOf(user),
    home: home ?? '',
    name: user,
    passwd: passwd ?? '',
    shell: shell ?? '',
    uid: Number(uid),
    fullname: g[0] ?? '',
    roomnumber: g[1] ?? '',
    workphone: g[2] ?? '',
    homephone: g[3] ?? '',
    other: g[4] ?? '',
  };
}

/** shadow.info's password hash ('' when there is no shadow entry or it cannot be read). */
export async function shadowPasswd(name: string): Promise<string> {
  const res = await runQuiet('getent', ['shadow', name]);
  return res?.code === 0 ? (res.stdout.split('\n')[0]?.split(':')[1] ?? '') : '';
}

/** Salt's groupadd.info: {name, passwd, gid, members}. */
export async function groupInfo(name: string): Promise<{ name: string; passwd: string; gid: number; members: string[] } | undefined> {
  const entry = await findGroup(name);
  return entry ? { name: entry.name, passwd: entry.passwd, gid: entry.gid, members: entry.members } : undefined;
}

/** The name of the group that holds a gid, to check that a gid is free. */
export async function groupWithGid(gid: number): Promise<string | undefined> {
  return (await findGroup(gid))?.name;
}
