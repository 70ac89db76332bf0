/**
 * Salt's group states (salt/states/group.py) with groupadd/groupmod/gpasswd/groupdel, as Salt's
 * groupadd module calls them.
 */
import type { StateFunction } from '@saltmq/common';
import { execArgv, type StateDeps } from './deps.js';
import { groupInfo, groupWithGid } from './user-info.js';
import { asBool, newRet, optList, pyRepr, pyStr } from './util.js';

interface Wanted {
  gid: number | undefined;
  addusers: string[] | undefined;
  delusers: string[] | undefined;
  members: string[] | undefined;
}

/** Salt's group `_changes`: what differs, false when the group is missing, or an error comment. */
async function changesFor(name: string, w: Wanted, gidArg: unknown): Promise<Record<string, unknown> | false | string> {
  const lgrp = await groupInfo(name);
  if (!lgrp) return false;
  const change: Record<string, unknown> = {};
  if (gidArg !== undefined && gidArg !== null && gidArg !== '') {
    if (w.gid === undefined || Number.isNaN(w.gid)) return 'Invalid gid';
    if (lgrp.gid !== w.gid) change.gid = w.gid;
  }
  if (w.members) {
    const cur = new Set(lgrp.members);
    if (w.members.length !== cur.size || w.members.some((m) => !cur.has(m))) change.members = w.members;
  }
  const toAdd = (w.addusers ?? []).filter((u) => !lgrp.members.includes(u));
  if (toAdd.length > 0) change.addusers = toAdd;
  const toDel = (w.delusers ?? []).filter((u) => lgrp.members.includes(u));
  if (toDel.length > 0) change.delusers = toDel;
  return change;
}

export function groupStates(deps: StateDeps): Record<string, StateFunction> {
  const tool = async (argv: string[]) => (await execArgv(deps, argv, { ignoreRetcode: true })).retcode === 0;

  const present: StateFunction = async (name, args, ctx) => {
    const ret = newRet(name, true, `Group ${name} is present and up to date`);
    const w: Wanted = {
      gid: args.gid === undefined || args.gid === null || args.gid === '' ? undefined : Number.parseInt(pyStr(args.gid), 10),
      addusers: optList(args.addusers),
      delusers: optList(args.delusers),
      members: optList(args.members),
    };
    if (w.members && (w.addusers || w.delusers)) {
      return { ...ret, result: null, comment: 'Error: Conflicting options "members" with "addusers" and/or "delusers" can not be used together. ' };
    }
    if (w.addusers && w.delusers && w.addusers.some((u) => w.delusers!.includes(u))) {
      return { ...ret, result: null, comment: 'Error. Same user(s) can not be added and deleted simultaneously' };
    }
    let changes = await changesFor(name, w, args.gid);
    if (typeof changes === 'string') return { ...ret, result: false, comment: changes };
    if (changes && Object.keys(changes).length > 0) {
      ret.comment = 'The following group attributes are set to be changed:\n';
      for (const [key, val] of Object.entries(changes)) ret.comment += `${key}: ${pyRepr(val, true)}\n`;
      if (ctx.test) return { ...ret, result: null };
      for (const [key, val] of Object.entries(changes)) {
        if (key === 'gid') await tool(['groupmod', '-g', String(val), name]);
        else if (key === 'addusers') for (const u of val as string[]) await tool(['gpasswd', '-a', u, name]);
        else if (key === 'delusers') for (const u of val as string[]) await tool(['gpasswd', '-d', u, name]);
        else if (key === 'members') await tool(['gpasswd', '-M', (w.members ?? []).join(','), name]);
      }
      changes = await changesFor(name, w, args.gid);
      if (changes && typeof changes !== 'string' && Object.keys(changes).length > 0) {
        return { ...ret, result: false, comment: `${ret.comment}Some changes could not be applied`, changes: { Failed: changes } };
      }
      return { ...ret, changes: { Final: 'All changes applied successfully' } };
    }
    if (changes === false) {
      if (ctx.test) return { ...ret, result: null, comment: `Group ${name} set to be added` };
      if (w.gid !== undefined) {
        const taken = await groupWithGid(w.gid);
        if (taken !== undefined) return { ...ret, result: false, comment: `Group ${name} is not present but gid ${w.gid} is already taken by group ${taken}` };
      }
      const cmd = ['groupadd', ...(w.gid !== undefined ? ['-g', String(w.gid)] : []), ...(asBool(args.system, false) ? ['-r'] : []), name];
      if (!(await tool(cmd))) return { ...ret, result: false, comment: `Failed to create new group ${name}` };
      const members = w.addusers ?? w.members;
      if (members && members.length > 0) await tool(['gpasswd', '-M', members.join(','), name]);
      ret.comment = `New group ${name} created`;
      ret.changes = { ...(await groupInfo(name)) };
      const left = await changesFor(name, w, args.gid);
      if (left && typeof left !== 'string' && Object.keys(left).length > 0) {
        return { ...ret, result: false, comment: `Group ${name} has been created but, some changes could not be applied`, changes: { Failed: left } };
      }
    }
    return ret;
  };

  const absent: StateFunction = async (name, _args, ctx) => {
    const ret = newRet(name);
    if (!(await groupInfo(name))) return { ...ret, comment: 'Group not present' };
    if (ctx.test) return { ...ret, result: null, comment: `Group ${name} is set for removal` };
    if (!(await tool(['groupdel', name]))) return { ...ret, result: false, comment: `Failed to remove group ${name}` };
    return { ...ret, changes: { [name]: '' }, comment: `Removed group ${name}` };
  };

  return { present, absent };
}
