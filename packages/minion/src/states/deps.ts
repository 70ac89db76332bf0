/**
 * What the state modules need from the minion, passed in once (no globals): the execution-function
 * caller, the template renderer and a few settings. Commands always go through `cmd.run_all`, so
 * there is a single place where processes are started, logged and killed.
 */
import type { Logger } from '@saltmq/common';
import type { CommandResult } from '../process/command.js';
import { isRecord } from './util.js';

export interface StateDeps {
  /** calls an execution function, e.g. call('cp.cache_file', ['salt://x', 'base']) → local path string, or '' / false when the master has no such file */
  call(fun: string, args?: unknown[], kwargs?: Record<string, unknown>): Promise<unknown>;
  /** renders a template text with Salt's jinja (for file.managed template: jinja); context is the template variables */
  renderTemplate(text: string, context: Record<string, unknown>, name: string): Promise<string>;
  saltenv: string;
  /** minion cachedir (file_backup/ goes under it) */
  cachedir: string;
  log: Logger;
  signal: AbortSignal;
}

/** Options for a helper command run on the state's behalf (apt-get, systemctl, useradd ...). */
export interface ExecOptions {
  env?: Record<string, string>;
  /** a nonzero exit is an answer here (systemctl is-active), not a failure of the job */
  ignoreRetcode?: boolean;
  /** lookups (getent, dpkg-query) are not worth a log line */
  quiet?: boolean;
}

/**
 * Runs argv without a shell through cmd.run_all, the same path Salt's modules take with
 * python_shell=False, and checks the shape of what came back.
 */
export async function execArgv(deps: StateDeps, argv: string[], options: ExecOptions = {}): Promise<CommandResult> {
  const kwargs: Record<string, unknown> = { python_shell: false, ignore_retcode: options.ignoreRetcode ?? false };
  if (options.env) kwargs.env = options.env;
  if (options.quiet) kwargs.output_loglevel = 'quiet';
  const out = await deps.call('cmd.run_all', [argv], kwargs);
  return asCommandResult(out);
}

/** cmd.run_all's dict, narrowed: anything else is a bug in the caller's wiring. */
export function asCommandResult(out: unknown): CommandResult {
  if (!isRecord(out) || typeof out.stdout !== 'string' || typeof out.stderr !== 'string') {
    throw new Error('cmd.run_all did not return {pid, retcode, stdout, stderr}');
  }
  return {
    pid: typeof out.pid === 'number' ? out.pid : 0,
    retcode: typeof out.retcode === 'number' ? out.retcode : null,
    stdout: out.stdout,
    stderr: out.stderr,
  };
}
