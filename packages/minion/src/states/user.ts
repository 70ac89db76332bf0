/**
 * Salt's user states (salt/states/user.py) with the useradd/usermod/userdel tools Salt's Linux
 * modules call. `password` is a crypt hash set with usermod -p; `hash_password` makes one with
 * `openssl passwd -6` (Salt's default sha512).
 */
import { chown, mkdir } from 'node:fs/promises';
import type { StateFunction, StateResult } from '@saltmq/common';
import { gidOf, groupNameOf } from './accounts.js';
import { execArgv, type StateDeps } from './deps.js';
import { groupInfo, shadowPasswd, userInfo, type UserInfo } from './user-info.js';
import { asBool, isDir, newRet, optList, optStr, pyRepr, pyStr } from './util.js';

interface Wanted {
  uid: number | undefined;
  gid: number | string | undefined;
  groups: string[] | undefined;
  optionalGroups: string[];
  removeGroups: boolean;
  home: string | undefined;
  createhome: boolean;
  password: string | undefined;
  enforcePassword: boolean;
  emptyPassword: boolean;
  shell: string | undefined;
  fullname: string | undefined;
}

const REDACTED = 'XXX-REDACTED-XXX';

/** A YAML id: numbers and digit strings become numbers, anything else is kept as a name. */
function idArg(value: unknown): number | string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return /^\d+$/.test(pyStr(value)) ? Number(value) : pyStr(value);
}

/** Salt's `_changes`: what differs from the wanted account, or false when the user does not exist. */
async function changesFor(name: string, w: Wanted): Promise<Record<string, unknown> | false> {
  const lusr = await userInfo(name);
  if (!lusr) return false;
  const change: Record<string, unknown> = {};
  const wanted = [...new Set([...(w.groups ?? lusr.groups), ...w.optionalGroups])].sort();
  if (w.uid !== undefined && lusr.uid !== w.uid) change.uid = w.uid;
  if (w.gid !== undefined && lusr.gid !== w.gid && lusr.gid !== (await gidOf(w.gid))) change.gid = w.gid;
  const defaultGrp = await groupNameOf(w.gid === undefined ? lusr.gid : ((await gidOf(w.gid)) ?? -1));
  const oldDefault = await groupNameOf(lusr.gid);
  const current = new Set(lusr.groups);
  // the primary group (old and new) and a same-named group do not count as memberships here
  current.delete(defaultGrp);
  if (oldDefault !== defaultGrp) current.delete(oldDefault);
  if (current.has(name) && !wanted.includes(name)) current.delete(name);
  const want = wanted.filter((g) => g !== defaultGrp);
  const differs = w.removeGroups ? want.length !== current.size || want.some((g) => !current.has(g)) : want.some((g) => !current.has(g));
  if (differs) change.groups = want;
  if (w.home && lusr.home !== w.home) change.home = w.home;
  const newhome = w.home ?? lusr.home;
  if (w.createhome && newhome && !(await isDir(newhome))) change.homeDoesNotExist = newhome;
  if (w.shell && lusr.shell !== w.shell) change.shell = w.shell;
  const shadow = await shadowPasswd(name);
  if (w.password && !w.emptyPassword && (shadow === '!' || w.enforcePassword) && shadow !== w.password) change.passwd = w.password;
  if (w.emptyPassword && shadow !== '') change.empty_password = true;
  if (w.fullname !== undefined && lusr.fullname !== w.fullname) change.fullname = w.fullname;
  return change;
}

export function userStates(deps: StateDeps): Record<string, StateFunction> {
  const tool = async (argv: string[]) => (await execArgv(deps, argv, { ignoreRetcode: true })).retcode === 0;
  /** Salt's chfullname: replaces the first GECOS field and keeps the others. */
  const gecosWith = (info: UserInfo, fullname: string) => [fullname, info.roomnumber, info.workphone, info.homephone, info.other].join(',').replace(/,+$/, '');

  /**
   * Salt's shadow.gen_password for hash_password, reusing the salt (and algorithm) of the current
   * hash so an unchanged password hashes the same and the state stays idempotent.
   */
  const hashPassword = async (name: string, clear: string): Promise<string> => {
    const current = /^\$(1|5|6)\$([^$]+)\$/.exec(await shadowPasswd(name));
    const argv = ['openssl', 'passwd', `-${current?.[1] ?? '6'}`, ...(current ? ['-salt', current[2]!] : []), '-stdin'];
    const out = await deps.call('cmd.run_all', [argv], { python_shell: false, stdin: clear, output_loglevel: 'quiet', ignore_retcode: true }).catch(() => undefined);
    const res = (out ?? {}) as { retcode?: unknown; stdout?: unknown };
    return res.retcode === 0 ? String(res.stdout ?? '').trim() : '';
  };

  const apply = async (name: string, changes: Record<string, unknown>, w: Wanted, pre: UserInfo): Promise<void> => {
    for (const [key, val] of Object.entries(changes)) {
      if (key === 'passwd') await tool(['usermod', '-p', pyStr(val), name]);
      else if (key === 'empty_password') await tool(['passwd', '-d', name]);
      else if (key === 'home' && !('homeDoesNotExist' in changes)) await tool(['usermod', '-d', pyStr(val), name]);
      else if (key === 'homeDoesNotExist') {
        await tool(['usermod', '-m', '-d', pyStr(val), name]);
        if (!(await isDir(pyStr(val)))) {
          await mkdir(pyStr(val), { mode: 0o755 });
          await chown(pyStr(val), pre.uid, pre.gid);
        }
      } else if (key === 'groups') await tool(['usermod', ...(w.removeGroups ? ['-G'] : ['-a', '-G']), (val as string[]).join(','), name]);
      else if (key === 'uid') await tool(['usermod', '-u', pyStr(val), name]);
      else if (key === 'gid') await tool(['usermod', '-g', pyStr(val), name]);
      else if (key === 'shell') await tool(['usermod', '-s', pyStr(val), name]);
      else if (key === 'fullname') await tool(['usermod', '-c', gecosWith(pre, pyStr(val)), name]);
    }
  };

  const present: StateFunction = async (name, args, ctx) => {
    const ret: StateResult = newRet(name, true, `User ${name} is present and up to date`);
    let password = optStr(args.password);
    if (password && asBool(args.hash_password, false)) {
      password = await hashPassword(name, password);
      if (!password) return { ...ret, result: false, comment: 'hash_password needs openssl on the minion to hash the password' };
    }
    for (const field of [args.fullname, args.roomnumber, args.workphone]) {
      if (typeof field === 'string' && field.includes(',')) return { ...ret, result: false, comment: `Unsupported char ',' in ${field}` };
    }
    const groups = optList(args.groups);
    const missingGroups: string[] = [];
    for (const g of groups ?? []) if (!(await groupInfo(g))) missingGroups.push(g);
    if (missingGroups.length > 0) return { ...ret, result: false, comment: `The following group(s) are not present: ${missingGroups.join(',')}` };
    const optionalGroups: string[] = [];
    for (const g of optList(args.optional_groups) ?? []) if (await groupInfo(g)) optionalGroups.push(g);
    const uidArg = idArg(args.uid);
    let gid = idArg(args.gid);
    if (asBool(args.gid_from_name, false)) {
      gid = await gidOf(name);
      if (gid === undefined) return { ...ret, result: false, comment: `Default group with name "${name}" is not present` };
    }
    const w: Wanted = {
      uid: typeof uidArg === 'number' ? uidArg : undefined,
      gid, groups, optionalGroups, removeGroups: asBool(args.remove_groups, true), home: optStr(args.home),
      createhome: asBool(args.createhome, true), password, enforcePassword: asBool(args.enforce_password, true),
      emptyPassword: asBool(args.empty_password, false), shell: optStr(args.shell), fullname: optStr(args.fullname),
    };

    const changes = await changesFor(name, w);
    if (changes && Object.keys(changes).length > 0) {
      const pre = (await userInfo(name))!;
      const errors: string[] = [];
      if (!asBool(args.allow_uid_change, false) && 'uid' in changes) {
        errors.push(`Changing uid (${pre.uid} -> ${w.uid}) not permitted, set allow_uid_change to True to force this change. Note that this will not change file ownership.`);
      }
      if (!asBool(args.allow_gid_change, false) && 'gid' in changes) {
        errors.push(`Changing gid (${pre.gid} -> ${pyStr(w.gid)}) not permitted, set allow_gid_change to True to force this change. Note that this will not change file ownership.`);
      }
      if (errors.length > 0) return { ...ret, result: false, comment: errors.join('\n') };
      if (ctx.test) {
        ret.result = null;
        ret.comment = 'The following user attributes are set to be changed:\n';
        for (const [key, val] of Object.entries(changes)) ret.comment += `${key}: ${key === 'passwd' ? REDACTED : pyRepr(val, true)}\n`;
        return ret;
      }
      const shadowBefore = await shadowPasswd(name);
      await apply(name, changes, w, pre);
      const post = (await userInfo(name))!;
      for (const key of Object.keys(post)) {
        if (JSON.stringify(post[key]) !== JSON.stringify(pre[key])) ret.changes[key] = post[key];
      }
      if ((await shadowPasswd(name)) !== shadowBefore) ret.changes.passwd = REDACTED;
      if (Object.keys(ret.changes).length > 0) ret.comment = `Updated user ${name}`;
      const left = await changesFor(name, w);
      if (left && Object.keys(left).length > 0) return { ...ret, result: false, comment: `These values could not be changed: ${pyRepr(left)}` };
      return ret;
    }
    if (changes === false) {
      if (ctx.test) return { ...ret, result: null, comment: `User ${name} set to be added` };
      const cmd = ['useradd'];
      if (w.shell) cmd.push('-s', w.shell);
      if (w.uid !== undefined) cmd.push('-u', String(w.uid));
      if (w.gid !== undefined) cmd.push('-g', String(w.gid));
      const all = [...(groups ?? []), ...optionalGroups];
      if (all.length > 0) cmd.push('-G', all.join(','));
      if (w.home) cmd.push('-d', w.home);
      cmd.push(w.createhome ? '-m' : '-M');
      if (!asBool(args.unique, true)) cmd.push('-o');
      if (asBool(args.system, false)) cmd.push('-r');
      if (!(await tool([...cmd, name]))) return { ...ret, result: false, comment: `Failed to create new user ${name}` };
      const made = (await userInfo(name))!;
      if (w.fullname) await tool(['usermod', '-c', gecosWith(made, w.fullname), name]);
      ret.comment = `New user ${name} created`;
      ret.changes = { ...(await userInfo(name)) };
      // pwd reports the home directory even when it was not created
      if (!w.createhome) ret.changes.home = '';
      if (password && !w.emptyPassword) {
        await tool(['usermod', '-p', password, name]);
        if ((await shadowPasswd(name)) !== password) {
          ret.comment = `User ${name} created but failed to set password to ${REDACTED}`;
          ret.result = false;
        }
        ret.changes.password = REDACTED;
      }
    }
    return ret;
  };

  const absent: StateFunction = async (name, args, ctx) => {
    const ret = newRet(name);
    const info = await userInfo(name);
    if (!info) return { ...ret, comment: `User ${name} is not present` };
    if (ctx.test) return { ...ret, result: null, comment: `User ${name} set for removal` };
    const before = info.groups;
    const cmd = ['userdel', ...(asBool(args.purge, false) ? ['-r'] : []), ...(asBool(args.force, false) ? ['-f'] : []), name];
    if (!(await tool(cmd))) return { ...ret, result: false, comment: `Failed to remove user ${name}` };
    for (const g of before) if (!(await groupInfo(g))) ret.changes[`${g} group`] = 'removed';
    ret.changes[name] = 'removed';
    ret.comment = `Removed user ${name}`;
    return ret;
  };

  return { present, absent };
}
