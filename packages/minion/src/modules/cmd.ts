import { copyFile, chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { InvocationError } from '@saltmq/common';
import { fn, type BoundArgs, type CallContext, type ExecutionFunction, type Module } from '../loader.js';
import { runCommand, type CommandResult } from '../process/command.js';
import { CommandExecutionError } from '../process/errors.js';
import { asBool, pyStr } from '../process/options.js';
import { shlexSplit } from '../process/shlex.js';
import { which } from '../process/which.js';
import { lookupUser } from '../process/users.js';

// Parameter lists in Salt's order (salt/modules/cmdmod.py), so positional CLI arguments bind alike.
const HEAD = ['cmd', 'cwd', 'stdin', 'runas', 'group', 'shell'];
const RUN = [...HEAD, 'python_shell', 'env', 'clean_env', 'template', 'rstrip', 'umask', 'output_encoding', 'output_loglevel',
  'log_callback', 'hide_output', 'timeout', 'reset_system_locale', 'ignore_retcode', 'saltenv', 'use_vt', 'redirect_stderr', 'bg',
  'password', 'encoded_cmd', 'raise_err', 'prepend_path', 'success_retcodes', 'success_stdout', 'success_stderr'];
const SHELL = RUN.filter((p) => !['python_shell', 'redirect_stderr', 'encoded_cmd', 'raise_err'].includes(p));
const STREAM = [...HEAD, 'python_shell', 'env', 'clean_env', 'template', 'rstrip', 'umask', 'output_encoding', 'output_loglevel',
  'log_callback', 'hide_output', 'timeout', 'reset_system_locale', 'ignore_retcode', 'saltenv', 'use_vt', 'password', 'prepend_path',
  'success_retcodes', 'success_stdout', 'success_stderr'];
const RUN_ALL = [...STREAM.slice(0, STREAM.indexOf('password')), 'redirect_stderr', 'password', 'encoded_cmd', 'prepend_path',
  'success_retcodes', 'success_stdout', 'success_stderr'];
const RETCODE = STREAM.filter((p) => !['rstrip', 'hide_output', 'prepend_path'].includes(p));
const RUN_BG = ['cmd', 'cwd', 'runas', 'group', 'shell', 'python_shell', 'env', 'clean_env', 'template', 'umask', 'timeout',
  'output_encoding', 'output_loglevel', 'log_callback', 'reset_system_locale', 'ignore_retcode', 'saltenv', 'password',
  'prepend_path', 'success_retcodes', 'success_stdout', 'success_stderr'];
const SCRIPT = ['source', 'args', 'cwd', 'stdin', 'runas', 'group', 'shell', 'python_shell', 'env', 'template', 'umask',
  'output_encoding', 'output_loglevel', 'log_callback', 'hide_output', 'timeout', 'reset_system_locale', 'saltenv', 'use_vt', 'bg',
  'password', 'success_retcodes', 'success_stdout', 'success_stderr'];

const COMMON_DOC = `
cwd: working directory (default: the runas user's home). stdin: text fed to the command ("\\n" becomes a newline).
runas: run as this user (the minion must be root). shell: the shell for python_shell=True (default: the minion's shell option).
python_shell: run through the shell (pipes, redirects); defaults to true when called straight from a job, false otherwise.
env: dict (or list of one-key dicts) merged over the minion's environment; clean_env: use only env.
timeout: seconds before the whole process group is killed. ignore_retcode: do not fail the job on a nonzero exit.
success_retcodes / success_stdout / success_stderr: treat these as success. umask, rstrip, hide_output, prepend_path as in Salt.`;

const SCRIPT_DOC = `Fetch a script from the master (source: salt://path) and run it with args; returns {pid, retcode, stdout, stderr}.
args: a string (split like a shell) or a list. saltenv: the file server environment (default base).
${COMMON_DOC}`;

// Options we cannot honour are refused rather than ignored: running without the requested group or
// template would run a different command than the one asked for.
function refuseUnsupported(a: BoundArgs): void {
  if (a.group !== undefined && a.group !== null) throw new InvocationError('cmd: the group option is not supported by saltmq');
  if (a.template !== undefined && a.template !== null) throw new InvocationError('cmd: the template option is not supported by saltmq');
}

async function exec(ctx: CallContext, a: BoundArgs, redirectStderr: boolean, overrides: Record<string, unknown> = {}): Promise<CommandResult> {
  refuseUnsupported(a);
  const opts = { ...a._kwargs, ...a, ...overrides };
  const result = await runCommand(ctx, a.cmd, opts, redirectStderr);
  if (asBool(a.raise_err, false) && result.retcode !== 0) throw new CommandExecutionError(asBool(a.hide_output, false) ? '' : result.stdout);
  return result;
}

const hidden = (a: BoundArgs) => asBool(a.hide_output, false);
const kw = { required: 1, anyKwargs: true } as const;

export const cmd = {
  name: 'cmd',
  functions: {
    run: fn(RUN, `Run a command and return its output, stderr merged into stdout in the order written.\n${COMMON_DOC}`, async (ctx, a) => {
      const r = await exec(ctx, a, asBool(a.redirect_stderr, true));
      return hidden(a) ? '' : r.stdout;
    }, kw),
    shell: fn(SHELL, `Like cmd.run, but always through the shell (python_shell=True unless given).\n${COMMON_DOC}`, async (ctx, a) => {
      const r = await exec(ctx, a, true, { python_shell: a._kwargs.python_shell ?? true });
      return hidden(a) ? '' : r.stdout;
    }, kw),
    run_stdout: fn(STREAM, `Run a command and return only its stdout.\n${COMMON_DOC}`, async (ctx, a) => {
      const r = await exec(ctx, a, false);
      return hidden(a) ? '' : r.stdout;
    }, kw),
    run_stderr: fn(STREAM, `Run a command and return only its stderr.\n${COMMON_DOC}`, async (ctx, a) => {
      const r = await exec(ctx, a, false);
      return hidden(a) ? '' : r.stderr;
    }, kw),
    run_all: fn(RUN_ALL, `Run a command and return {pid, retcode, stdout, stderr}; redirect_stderr=True merges stderr into stdout.\n${COMMON_DOC}`, async (ctx, a) => {
      const r = await exec(ctx, a, asBool(a.redirect_stderr, false));
      return hidden(a) ? { ...r, stdout: '', stderr: '' } : r;
    }, kw),
    retcode: fn(RETCODE, `Run a command and return its exit code.\n${COMMON_DOC}`, async (ctx, a) => (await exec(ctx, a, true)).retcode, kw),
    run_bg: fn(RUN_BG, `Start a command in the background and return {pid} without waiting.\n${COMMON_DOC}`, async (ctx, a) => {
      const r = await exec(ctx, a, false, { bg: true });
      return { pid: r.pid };
    }, kw),
    script: fn(SCRIPT, SCRIPT_DOC, (ctx, a) => script(ctx, a), kw),
    script_retcode: fn(SCRIPT.filter((p) => p !== 'hide_output' && p !== 'bg'), 'Like cmd.script, but return only the exit code.',
      async (ctx, a) => (await script(ctx, a)).retcode, kw),
    which: fn(['cmd'], 'Return the path of an executable on the minion, or None.', (_ctx, a) => which(pyStr(a.cmd)), { required: 1 }),
    which_bin: fn(['cmds'], 'Return the first of a list of commands that exists, or None.', async (_ctx, a) => {
      for (const name of Array.isArray(a.cmds) ? a.cmds : [a.cmds]) {
        const found = await which(pyStr(name));
        if (found) return found;
      }
      return null;
    }, { required: 1 }),
    has_exec: fn(['cmd'], 'Return True if the executable is available on the minion.', async (_ctx, a) => (await which(pyStr(a.cmd))) !== null, { required: 1 }),
  } satisfies Record<string, ExecutionFunction>,
} satisfies Module<ExecutionFunction>;

// Salt's cmd.script: cache the file through cp.cache_file, copy it to a private temp file (mode 0500,
// owned by runas), run it with its args, remove it.
async function script(ctx: CallContext, a: BoundArgs): Promise<CommandResult & { cache_error?: true }> {
  refuseUnsupported(a);
  const source = pyStr(a.source);
  if (!source.startsWith('salt://')) throw new InvocationError(`cmd.script: source must be a salt:// URL, got '${source}'`);
  const saltenv = pyStr(a.saltenv ?? ctx.opts.saltenv ?? 'base');
  const cached = await ctx.call('cp.cache_file', [source, saltenv]);
  const cacheError = { pid: 0, retcode: 1, stdout: '', stderr: '', cache_error: true } as const;
  if (typeof cached !== 'string' || cached === '') return cacheError;

  const dir = await mkdtemp(join(typeof a.cwd === 'string' && a.cwd !== '' ? a.cwd : tmpdir(), 'saltmq-script-'));
  try {
    const path = join(dir, `script${extname(source.split('?')[0] ?? '')}`);
    try {
      await copyFile(cached, path);
    } catch {
      return cacheError;
    }
    await chmod(path, 0o500);
    if (a.runas !== undefined && a.runas !== null) {
      const user = await lookupUser(pyStr(a.runas));
      if (!user) throw new CommandExecutionError(`User '${pyStr(a.runas)}' is not available`);
      await chown(dir, user.uid, -1);
      await chown(path, user.uid, -1);
    }
    const extra = a.args === undefined || a.args === null || a.args === '' ? [] : Array.isArray(a.args) ? a.args.map((x) => pyStr(x)) : shlexSplit(pyStr(a.args));
    const opts = { ...a._kwargs, ...a, python_shell: false }; // the file runs directly: no shell parses its args
    const result = await runCommand(ctx, [path, ...extra], opts, false);
    return hidden(a) ? { ...result, stdout: '', stderr: '' } : result;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
