import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

// Salt's salt.utils.path.which appends these when PATH lacks them, so a minion started with a thin
// PATH (systemd units, cron) still finds the usual tools.
const EXTRA_DIRS = ['/bin', '/sbin', '/usr/bin', '/usr/sbin', '/usr/local/bin'];

/** Whether a path is a regular file this process may execute. */
export async function isExecutable(path: string): Promise<boolean> {
  try {
    const info = await stat(path);
    if (!info.isFile()) return false;
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Salt's `which`: a name with a slash is checked as given, a bare name is searched on PATH (then the
 * usual system dirs). Returns the path, or null when nothing executable is found.
 */
export async function which(cmd: string, pathEnv: string = process.env.PATH ?? ''): Promise<string | null> {
  if (!cmd) return null;
  if (cmd.includes('/')) return (await isExecutable(cmd)) ? cmd : null;
  const dirs = pathEnv.split(delimiter).filter(Boolean);
  for (const extra of EXTRA_DIRS) if (!dirs.includes(extra)) dirs.push(extra);
  for (const dir of dirs) {
    const candidate = join(dir, cmd);
    if (await isExecutable(candidate)) return candidate;
  }
  return null;
}
