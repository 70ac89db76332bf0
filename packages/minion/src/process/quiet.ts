import { execFile } from 'node:child_process';

export interface QuietResult {
  code: number | null;
  stdout: string;
}

/**
 * Runs a helper program (getent, dpkg, systemd-detect-virt) without a shell and without logging, as
 * Salt's `_run_quiet` does for grains. Resolves undefined when the program cannot be started at all,
 * so callers treat "not installed" and "failed" alike.
 */
export function runQuiet(file: string, args: readonly string[], timeoutMs = 5000): Promise<QuietResult | undefined> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } }, (error, stdout) => {
      if (error && typeof error.code === 'string') return resolve(undefined); // ENOENT, EACCES: not runnable
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, stdout: String(stdout) });
    });
  });
}
