/**
 * The writing half of file.managed, Salt's file.manage_file: compare, diff, write atomically, then
 * fix ownership and mode, with Salt's changes keys (diff, mode, user, group, new) and comments.
 */
import { open, readFile, realpath } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { StateResult } from '@saltmq/common';
import { getDiff } from './file-diff.js';
import { checkPerms, currentUmask, makeParentDirs, normalizeMode } from './file-perms.js';
import { writeReplacing, type BackupMode } from './file-write.js';
import { fail, isDir, lstatOrUndefined } from './util.js';

/** What the file should hold: fetched source bytes, rendered `contents`, or nothing (an empty file). */
export type Desired = { kind: 'source'; data: Buffer } | { kind: 'contents'; data: Buffer } | { kind: 'none' };

export interface ManageOptions {
  name: string;
  user: string | number | undefined;
  group: string | number | undefined;
  mode: string | undefined;
  dirMode: string | undefined;
  makedirs: boolean;
  backup: BackupMode;
  showChanges: boolean;
  followSymlinks: boolean;
  cachedir: string;
}

/** Salt: directories made for a file get its mode plus the execute bit on every non-zero digit. */
function derivedDirMode(mode: string | undefined): string | undefined {
  if (mode === undefined) return undefined;
  return normalizeMode([...mode.slice(-3)].map((d) => (d === '0' ? d : String(Number(d) | 1))).join(''));
}

export async function manageFile(ret: StateResult, want: Desired, o: ManageOptions): Promise<StateResult> {
  const { name } = o;
  const link = await lstatOrUndefined(name);
  const exists = link !== undefined && (link.isFile() || link.isSymbolicLink());
  if (exists) {
    // a dangling link resolves to itself, as os.path.realpath leaves it
    const realName = link.isSymbolicLink() && o.followSymlinks ? await realpath(name).catch(() => name) : name;
    if (want.kind !== 'none') {
      const current = await readFile(realName).catch(() => Buffer.alloc(0));
      const diff = getDiff(current, want.data, o.showChanges);
      if (diff) {
        ret.changes.diff = diff;
        await writeReplacing(realName, want.data, { backup: o.backup, cachedir: o.cachedir });
      }
    }
    await checkPerms(name, ret, { user: o.user, group: o.group, mode: o.mode, followSymlinks: o.followSymlinks, test: false });
    if (Object.keys(ret.changes).length > 0) ret.comment = `File ${name} updated`;
    else if (ret.result) ret.comment = `File ${name} is in the correct state`;
    return ret;
  }

  if (want.kind === 'source') ret.changes.diff = 'New file';
  if (!(await isDir(dirname(name)))) {
    if (!o.makedirs) {
      delete ret.changes.diff;
      return fail(ret, 'Parent directory not present');
    }
    await makeParentDirs(name, { user: o.user, group: o.group, mode: o.dirMode ?? derivedDirMode(o.mode) });
  }
  if (want.kind === 'source') {
    await writeReplacing(name, want.data, { cachedir: o.cachedir });
  } else {
    // Salt touches the file first (0600 under umask 077 when a mode is asked for), so contents
    // written over it keep that mode: only a source-created file reports a mode change.
    const handle = await open(name, 'a', o.mode !== undefined ? 0o600 : 0o666);
    await handle.close();
    if (want.kind === 'none') {
      ret.changes.new = `file ${name} created`;
      ret.comment = 'Empty file';
    } else {
      ret.changes.diff = 'New file';
      await writeReplacing(name, want.data, { cachedir: o.cachedir });
    }
  }
  const mode = o.mode ?? normalizeMode(((0o777 ^ (await currentUmask())) & 0o666).toString(8));
  await checkPerms(name, ret, { user: o.user, group: o.group, mode, followSymlinks: true, test: false });
  if (!ret.comment) ret.comment = `File ${name} updated`;
  if (Object.keys(ret.changes).length === 0 && ret.result) ret.comment = `File ${name} is in the correct state`;
  return ret;
}
