/**
 * Salt's file.managed (salt/states/file.py): argument checks and test mode live here, the write in
 * file-manage.ts. Sources are salt:// (through cp.cache_file), file:// or local absolute paths.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import type { StateFunction, StateResult } from '@saltmq/common';
import type { StateDeps } from './deps.js';
import { getDiff, pySplitLines } from './file-diff.js';
import { manageFile, type Desired } from './file-manage.js';
import { checkPerms, checkUser, fileMeta, normalizeMode, sameOwner } from './file-perms.js';
import { fetchSource, renderWith } from './file-source.js';
import type { BackupMode } from './file-write.js';
import { asBool, fail, isDir, isFile, isRecord, lstatOrUndefined, newRet, optStr, pyStr, strList, truthy } from './util.js';

const TEST_NOTE = '\nNote: No changes made, actual changes may\nbe different due to other states.';

/** A user or group argument: YAML ints are ids, everything else a name. */
export function owner(value: unknown): string | number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  return typeof value === 'number' ? value : pyStr(value);
}

/** Salt joins `contents` line by line, each ending in a newline (trailing one removed if contents_newline is false). */
function joinContents(value: unknown, newline: boolean): string {
  let text = '';
  for (const part of strList(value)) for (const line of pySplitLines(part)) text += `${line}\n`;
  return newline ? text : text.replace(/\n+$/, '').replace(/\r+$/, '');
}

export function makeManaged(deps: StateDeps): StateFunction {
  return async (rawName, args, ctx) => {
    const name = rawName;
    const ret = newRet(name);
    if (!name) return fail(ret, 'Destination file name is required');
    const saltenv = typeof ctx.chunk.__env__ === 'string' ? ctx.chunk.__env__ : deps.saltenv;
    const source = truthy(args.source) ? args.source : undefined;
    const template = optStr(args.template);
    let replace = asBool(args.replace, true);
    const keepMode = typeof args.mode === 'string' && args.mode.toLowerCase() === 'keep';
    let mode = keepMode ? undefined : normalizeMode(args.mode);
    if (args.contents_pillar !== undefined || args.contents_grains !== undefined) {
      return fail(ret, 'contents_pillar and contents_grains are not supported by saltmq: render the value into contents instead');
    }
    if (source !== undefined && args.contents !== undefined && args.contents !== null) {
      return fail(ret, "'source' cannot be used in combination with 'contents', 'contents_pillar', or 'contents_grains'");
    }
    if (keepMode && args.contents !== undefined && args.contents !== null) {
      return fail(ret, "Mode preservation cannot be used in combination with 'contents', 'contents_pillar', or 'contents_grains'");
    }
    // Salt: with nothing to write, replace is turned off so an existing file is left alone
    if (source === undefined && (args.contents === undefined || args.contents === null)) replace = false;
    if (args.attrs !== undefined && args.attrs !== null) (ret.warnings ??= []).push("The 'attrs' argument is not supported by saltmq and was ignored.");
    if ('file_mode' in args) (ret.warnings ??= []).push("The 'file_mode' argument will be ignored.  Please use 'mode' instead to set file permissions.");

    const context = args.context === undefined || args.context === null ? {} : args.context;
    if (!isRecord(context)) return fail(ret, 'Context must be formed as a dict');
    if (truthy(args.defaults) && !isRecord(args.defaults)) return fail(ret, 'Defaults must be formed as a dict');
    const merged = { ...(isRecord(args.defaults) ? args.defaults : {}), ...context };
    const user = owner(args.user ?? args.owner);
    const group = owner(args.group);

    let contents: string | undefined;
    if (args.contents !== undefined && args.contents !== null) {
      if (!asBool(args.allow_empty, true) && !truthy(args.contents)) {
        return fail(ret, "'contents' value would result in empty contents. Set allow_empty to True to allow the managed file to be empty.");
      }
      contents = joinContents(args.contents, asBool(args.contents_newline, true));
      if (template) {
        const rendered = await renderWith(deps, template, contents, { name, saltenv, ...merged }, name);
        if (typeof rendered !== 'string') return fail(ret, rendered.error);
        contents = rendered;
      }
    }
    const encoding = optStr(args.encoding) ?? 'utf8';
    if (!Buffer.isEncoding(encoding)) return fail(ret, `Unsupported encoding '${encoding}'`);

    if (!asBool(args.create, true) && !(await isFile(name))) {
      ret.comment = `File ${name} is not present and is not set for creation`;
      return ret;
    }
    const userErr = await checkUser(user, group);
    if (userErr) return fail(ret, userErr);
    if (!isAbsolute(name)) return fail(ret, `Specified file ${name} is not an absolute path`);
    if (await isDir(name)) return fail(ret, `Specified target ${name} is a directory`);
    const followSymlinks = asBool(args.follow_symlinks, true);
    const exists = (await lstatOrUndefined(name)) !== undefined;

    if (!replace && exists) {
      const perms = await checkPerms(name, ret, { user, group, mode, followSymlinks, test: ctx.test });
      if (ctx.test) {
        ret.comment = mode && perms.lmode && mode !== perms.lmode
          ? `File ${name} will be updated with permissions ${mode} from its current state of ${perms.lmode}`
          : `File ${name} not updated`;
      } else if (Object.keys(ret.changes).length === 0 && ret.result) {
        ret.comment = `File ${name} exists with proper permissions. No changes made.`;
      }
      return ret;
    }

    let want: Desired = { kind: 'none' };
    if (contents !== undefined) want = { kind: 'contents', data: Buffer.from(contents, encoding) };
    else if (source !== undefined) {
      const fetched = await fetchSource(deps, {
        name, source, sourceHash: args.source_hash, skipVerify: asBool(args.skip_verify, false), template, context: merged, saltenv,
        destExists: exists, extraVars: { user: user ?? null, group: group ?? null, mode: mode ?? null },
      });
      if (!fetched.ok) return fail(ret, fetched.comment);
      want = { kind: 'source', data: fetched.data };
      if (keepMode) mode = normalizeMode(((await stat(fetched.sfn)).mode & 0o7777).toString(8));
    }

    if (ctx.test) return testRun(ret, want, { name, user, group, mode, followSymlinks, showChanges: asBool(args.show_changes, true) });
    return manageFile(ret, want, {
      name, user, group, mode, dirMode: normalizeMode(args.dir_mode), makedirs: asBool(args.makedirs, false),
      backup: backupMode(args.backup), showChanges: asBool(args.show_changes, true), followSymlinks, cachedir: deps.cachedir,
    });
  };
}

function backupMode(value: unknown): BackupMode {
  const mode = optStr(value) ?? '';
  return mode === 'minion' || mode === 'both' || mode === 'master' ? mode : '';
}

/** Salt's check_managed_changes + check_file_meta: the changes a real run would make, nothing touched. */
async function testRun(
  ret: StateResult,
  want: Desired,
  o: { name: string; user: string | number | undefined; group: string | number | undefined; mode: string | undefined; followSymlinks: boolean; showChanges: boolean },
): Promise<StateResult> {
  const meta = await fileMeta(o.name, o.followSymlinks);
  if (!meta) ret.changes = { newfile: o.name };
  else {
    if (want.kind !== 'none') {
      const real = o.followSymlinks ? await realpath(o.name).catch(() => o.name) : o.name;
      const diff = getDiff(await readFile(real).catch(() => Buffer.alloc(0)), want.data);
      if (diff) ret.changes.diff = o.showChanges ? diff : '<show_changes=False>';
    }
    if (o.user !== undefined && !sameOwner(o.user, meta.user, meta.uid)) ret.changes.user = o.user;
    if (o.group !== undefined && !sameOwner(o.group, meta.group, meta.gid)) ret.changes.group = o.group;
    if (o.mode !== undefined && o.mode !== meta.mode) ret.changes.mode = o.mode;
  }
  if (Object.keys(ret.changes).length > 0) {
    ret.result = null;
    ret.comment = `The file ${o.name} is set to be changed${TEST_NOTE}`;
  } else {
    ret.result = true;
    ret.comment = `The file ${o.name} is in the correct state`;
  }
  return ret;
}
