/**
 * Writing a managed file the way salt.utils.files.copyfile does: a temp file beside the target,
 * renamed over it, so readers see the old or the new content and never a mix. An existing file keeps
 * its owner and mode (Salt re-applies the old stat); a new one starts as 0600, like mkstemp, and the
 * state then sets the mode it wants.
 */
import { chmod, chown, copyFile, mkdir, stat, utimes } from 'node:fs/promises';
import { writeFileAtomic } from '@saltmq/common';
import { basename, dirname, join } from 'node:path';

/** Salt's backup modes: only 'minion' keeps copies here ('master' is a TODO in Salt itself). */
export type BackupMode = '' | 'minion' | 'both' | 'master';

export async function writeReplacing(path: string, data: Uint8Array, o: { backup?: BackupMode; cachedir: string }): Promise<void> {
  const old = await stat(path).catch(() => undefined);
  if (old && (o.backup === 'minion' || o.backup === 'both')) await backupMinion(path, join(o.cachedir, 'file_backup'));
  await writeFileAtomic(path, data, 0o600, {
    beforeSync: async (handle) => {
      if (!old) return;
      await handle.chown(old.uid, old.gid).catch(() => undefined);
      await handle.chmod(old.mode & 0o7777);
    },
  });
}

/**
 * Salt's backup_minion: copies `path` to `<bkroot>/<its dir without the leading />/<name>_<stamp>`,
 * where the stamp is time.strftime('%a_%b_%d_%H:%M:%S_%Y') with the microseconds spliced in before
 * the year, keeping owner and mode. file.list_backups parses these names, so the format is kept.
 */
export async function backupMinion(path: string, bkroot: string, now = new Date()): Promise<string> {
  const st = await stat(path);
  const dest = join(bkroot, dirname(path).slice(1), `${basename(path)}_${backupStamp(now)}`);
  await mkdir(dirname(dest), { recursive: true });
  await copyFile(path, dest);
  await chown(dest, st.uid, st.gid).catch(() => undefined);
  await chmod(dest, st.mode & 0o7777);
  await utimes(dest, st.atime, st.mtime).catch(() => undefined);
  return dest;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function backupStamp(now: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  // JavaScript clocks stop at milliseconds; Salt takes the last six digits of time()*1e6
  const micros = String(now.getTime() * 1000 + Math.floor(Math.random() * 1000)).slice(-6);
  return `${DAYS[now.getDay()]}_${MONTHS[now.getMonth()]}_${p(now.getDate())}_${p(now.getHours())}:${p(now.getMinutes())}:${p(now.getSeconds())}_${micros}_${now.getFullYear()}`;
}
