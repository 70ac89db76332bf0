import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { fnmatch, type Logger } from '@saltmq/common';
import type { CallContext } from '../loader.js';
import { CommandExecutionError } from './errors.js';
import { asBool, buildEnv, parseEnv, parseRetcodes, parseTimeout, parseUmask, pyStr, splitInput } from './options.js';
import { pyListRepr, shlexQuote, shlexSplit } from './shlex.js';
import { runProcess, spawnBackground, type ProcessSpec } from './spawn.js';
import { lookupUser, type PasswdEntry } from './users.js';
import { isExecutable, which } from './which.js';

/** cmd.run_all's return shape. retcode is null only for bg=True, which does not wait. */
export interface CommandResult {
  pid: number;
  retcode: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Salt's `cmdmod._run`: resolves every option the cmd.* functions share, runs the command, and sets
 * the job retcode (ctx.retcode) from its exit code. `a` holds the call's bound arguments by Salt name.
 */
export async function runCommand(ctx: CallContext, cmd: unknown, a: Record<string, unknown>, redirectStderr: boolean): Promise<CommandResult> {
  // Salt: python_shell defaults to true for a command published straight from a job (or cmd_safe: False)
  const pythonShell = a.python_shell === undefined || a.python_shell === null ? ctx.fromJob || ctx.opts.cmd_safe === false : asBool(a.python_shell, false);
  const ignoreRetcode = asBool(a.ignore_retcode, false) || asBool(a.bg, false);
  if (ctx.fromJob) checkAllowed(ctx.opts, cmd);

  const runas = a.runas === undefined || a.runas === null || a.runas === '' ? undefined : await resolveRunas(pyStr(a.runas));
  const cwd = await resolveCwd(a.cwd, runas);
  const shell = pyStr(a.shell ?? ctx.opts.shell ?? '/bin/sh');
  if (!(await isExecutable(shell))) throw new CommandExecutionError(`The shell ${shell} is not available`);

  const own = parseEnv(a.env);
  if (runas) for (const [k, v] of Object.entries({ HOME: runas.home, USER: runas.name, LOGNAME: runas.name, SHELL: runas.shell })) own[k] ??= v;
  const env = buildEnv(own, {
    cleanEnv: asBool(a.clean_env, false),
    resetLocale: asBool(a.reset_system_locale, true),
    prependPath: a.prepend_path ? pyStr(a.prepend_path) : undefined,
  });

  const { argv, display } = pythonShell ? shellArgv(shell, cmd) : await directArgv(cmd, cwd, env.PATH);
  const loglevel = pyStr(a.output_loglevel ?? 'debug').toLowerCase();
  const log = ctx.log;
  if (loglevel !== 'quiet') log.info('executing command', { cmd: firstWord(display), cwd, ...(runas ? { runas: runas.name } : {}) });

  let stdin = a.stdin === undefined || a.stdin === null ? undefined : pyStr(a.stdin);
  // Salt turns a typed "\n" (two characters, as the CLI delivers it) into a newline
  if (stdin !== undefined && !asBool(a.stdin_raw_newlines, false)) stdin = stdin.replaceAll('\\n', '\n');
  const timeout = parseTimeout(a.timeout);
  const spec: ProcessSpec = {
    argv, cwd, env, stdin,
    uid: runas?.uid, gid: runas?.gid,
    umask: parseUmask(a.umask),
    mergeStderr: redirectStderr,
    timeoutMs: timeout === undefined ? undefined : timeout * 1000,
    signal: ctx.signal,
  };
  const successRetcodes = parseRetcodes(a.success_retcodes);
  const successStdout = splitInput(a.success_stdout);
  const successStderr = splitInput(a.success_stderr);

  if (asBool(a.bg, false)) {
    const pid = await spawnBackground(spec);
    ctx.retcode = 0;
    return { pid, retcode: null, stdout: '', stderr: '' };
  }

  const proc = await runProcess(spec);
  let result: CommandResult;
  if (proc.timedOut) {
    // Salt's TimedProc message and retcode; unlike Salt (which returns before setting __context__) the
    // job retcode is set too, so a timed-out command is not reported as a success.
    result = { pid: proc.pid, retcode: 1, stdout: `${display} : Timed out after ${pyStr(timeout)} seconds`, stderr: '' };
  } else {
    const rstrip = asBool(a.rstrip, true);
    const stdout = proc.stdout.toString('utf8');
    const stderr = proc.stderr.toString('utf8');
    result = { pid: proc.pid, retcode: proc.code, stdout: rstrip ? stdout.trimEnd() : stdout, stderr: rstrip ? stderr.trimEnd() : stderr };
    if (successRetcodes.includes(proc.code)) result.retcode = 0;
    if (successStdout.some((s) => result.stdout.includes(s)) || successStderr.some((s) => result.stderr.includes(s))) result.retcode = 0;
  }
  ctx.retcode = ignoreRetcode ? 0 : (result.retcode ?? 0);
  report(log, loglevel, display, result, ignoreRetcode);
  return result;
}

function shellArgv(shell: string, cmd: unknown): { argv: string[]; display: string } {
  const text = Array.isArray(cmd) ? cmd.map((w) => shlexQuote(pyStr(w))).join(' ') : pyStr(cmd);
  return { argv: [shell, '-c', text], display: text };
}

async function directArgv(cmd: unknown, cwd: string, path: string | undefined): Promise<{ argv: string[]; display: string }> {
  const words = Array.isArray(cmd) ? cmd.map((w) => pyStr(w)) : shlexSplit(pyStr(cmd));
  const display = pyListRepr(words);
  const first = words[0];
  if (first === undefined) throw new CommandExecutionError(`Unable to run command '${display}', reason: no command was given`);
  // like execvpe with the child's env: a bare name is looked up on the child's PATH
  const found = first.includes('/') ? ((await isExecutable(resolve(cwd, first))) ? resolve(cwd, first) : null) : await which(first, path ?? '');
  if (found === null) throw new CommandExecutionError(`Unable to run command '${display}', reason: [Errno 2] No such file or directory: '${first}'`);
  return { argv: [found, ...words.slice(1)], display };
}

async function resolveRunas(name: string): Promise<PasswdEntry> {
  const user = await lookupUser(name);
  if (!user) throw new CommandExecutionError(`User '${name}' is not available`);
  const me = process.getuid?.();
  if (me !== 0 && me !== user.uid) throw new CommandExecutionError(`Cannot run as user '${name}': the minion is not running as root`);
  return user;
}

// Salt's default cwd is the home of the user the command runs as, or / when that is unreadable.
async function resolveCwd(cwd: unknown, runas: PasswdEntry | undefined): Promise<string> {
  if (cwd === undefined || cwd === null || cwd === '') {
    const home = runas ? runas.home : homedir();
    return (await access(home, constants.R_OK).then(() => true, () => false)) ? home : '/';
  }
  const dir = pyStr(cwd);
  const isDir = isAbsolute(dir) && (await stat(dir).then((s) => s.isDirectory(), () => false));
  if (!isDir) throw new CommandExecutionError(`Specified cwd '${dir}' either not absolute or does not exist`);
  return dir;
}

// Salt's cmd_blacklist_glob / cmd_whitelist_glob, applied to commands that come straight from a job.
function checkAllowed(opts: Readonly<Record<string, unknown>>, cmd: unknown): void {
  const text = Array.isArray(cmd) ? cmd.map((w) => pyStr(w)).join(' ') : pyStr(cmd);
  const globs = (v: unknown) => (Array.isArray(v) ? v.map((g) => pyStr(g)) : []);
  const black = globs(opts.cmd_blacklist_glob);
  const white = globs(opts.cmd_whitelist_glob);
  const allowed = !black.some((g) => fnmatch(text, g)) && (white.length === 0 || white.some((g) => fnmatch(text, g)));
  if (!allowed) throw new CommandExecutionError(`The shell command "${text}" is not permitted`);
}

// Salt logs only the first word of a command: the rest may carry secrets.
function firstWord(display: string): string {
  return display.replace(/^\['?/, '').split(/[\s',]/)[0] ?? '';
}

function report(log: Logger, level: string, display: string, r: CommandResult, ignoreRetcode: boolean): void {
  if (level === 'quiet') return;
  const failed = !ignoreRetcode && r.retcode !== 0;
  if (failed) log.error('command failed', { cmd: firstWord(display), retcode: r.retcode });
  const write = failed || level === 'error' || level === 'critical' ? log.error : level === 'warning' ? log.warn : level === 'info' ? log.info : log.debug;
  if (r.stdout) write.call(log, 'command stdout', { stdout: r.stdout });
  if (r.stderr) write.call(log, 'command stderr', { stderr: r.stderr });
}
