import { readFile } from 'node:fs/promises';
import { runQuiet } from './quiet.js';

/** One line of the password database. */
export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
  shell: string;
}

/**
 * Looks a user up by name through NSS (`getent passwd`), so LDAP and sssd users resolve as they do
 * for Salt's pwd.getpwnam. Falls back to /etc/passwd where getent is missing (Alpine, busybox).
 */
export async function lookupUser(name: string): Promise<PasswdEntry | undefined> {
  const line = await nssLine('passwd', name);
  if (line === undefined) return undefined;
  const [user, , uid, gid, , home, shell] = line.split(':');
  if (user === undefined || uid === undefined || gid === undefined) return undefined;
  return { name: user, uid: Number(uid), gid: Number(gid), home: home ?? '/', shell: shell ?? '/bin/sh' };
}

/** The name of a group id, or undefined when the group is unknown. */
export async function groupName(gid: number): Promise<string | undefined> {
  const line = await nssLine('group', String(gid));
  return line?.split(':')[0];
}

async function nssLine(database: 'passwd' | 'group', key: string): Promise<string | undefined> {
  const result = await runQuiet('getent', [database, key]);
  if (result !== undefined) return result.code === 0 ? result.stdout.split('\n')[0] : undefined;
  const text = await readFile(`/etc/${database}`, 'utf8').catch(() => '');
  const byId = /^\d+$/.test(key);
  return text.split('\n').find((l) => {
    const fields = l.split(':');
    return byId ? fields[2] === key : fields[0] === key;
  });
}
