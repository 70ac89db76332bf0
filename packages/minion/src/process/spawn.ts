import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { CommandExecutionError } from './errors.js';

/** One process to run: argv[0] is an absolute path, already resolved by the caller. */
export interface ProcessSpec {
  argv: readonly string[];
  cwd: string;
  env: Record<string, string>;
  /** fed to the process, then its stdin is closed; without it stdin is /dev/null */
  stdin?: string | undefined;
  uid?: number | undefined;
  gid?: number | undefined;
  umask?: number | undefined;
  /** stderr shares stdout's pipe, so the merged text keeps the order the process wrote it in */
  mergeStderr: boolean;
  timeoutMs?: number | undefined;
  /** aborting kills the whole process group and rejects with the signal's reason */
  signal?: AbortSignal | undefined;
}

export interface ProcessResult {
  pid: number;
  /** the exit status, or minus the signal number when a signal ended it (Python's returncode) */
  code: number;
  stdout: Buffer;
  stderr: Buffer;
  timedOut: boolean;
}

// A tiny sh prologue does what spawn() cannot: point fd 2 at the stdout pipe (one pipe, so the
// interleaving is exact) and set the umask, then exec so the pid is the command's own.
function wrap(spec: ProcessSpec): [string, string[]] {
  if (!spec.mergeStderr && spec.umask === undefined) return [spec.argv[0]!, spec.argv.slice(1)];
  let script = spec.mergeStderr ? 'exec 2>&1; ' : '';
  const params: string[] = [];
  if (spec.umask !== undefined) {
    script += 'umask "$1" || exit 1; shift; ';
    params.push(spec.umask.toString(8).padStart(4, '0'));
  }
  return ['/bin/sh', ['-c', `${script}exec "$@"`, 'sh', ...params, ...spec.argv]];
}

/**
 * Runs a process in its own process group (spawn detached → setsid) and collects its output. A timeout
 * or an abort SIGKILLs the whole group, so children such as a backgrounded `sleep` die too, and does not
 * wait for pipes that an escaped grandchild may still hold open.
 */
export function runProcess(spec: ProcessSpec): Promise<ProcessResult> {
  spec.signal?.throwIfAborted();
  const [file, args] = wrap(spec);
  return new Promise<ProcessResult>((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: spec.cwd,
      env: spec.env,
      detached: true,
      stdio: [spec.stdin === undefined ? 'ignore' : 'pipe', 'pipe', spec.mergeStderr ? 'ignore' : 'pipe'],
      ...(spec.uid !== undefined ? { uid: spec.uid } : {}),
      ...(spec.gid !== undefined ? { gid: spec.gid } : {}),
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
    if (child.stdin) {
      child.stdin.on('error', () => {}); // EPIPE: the command exited without reading all of stdin
      child.stdin.end(spec.stdin);
    }

    let stopped: 'timeout' | 'abort' | undefined;
    let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    let done = false;
    const finish = (error?: unknown) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      spec.signal?.removeEventListener('abort', onAbort);
      if (error !== undefined) return reject(error);
      if (stopped === 'abort') return reject(spec.signal?.reason);
      resolve({ pid: child.pid ?? 0, code: returnCode(exit), stdout: Buffer.concat(out), stderr: Buffer.concat(err), timedOut: stopped === 'timeout' });
    };
    const stop = (why: 'timeout' | 'abort') => {
      stopped ??= why;
      killGroup(child);
      if (exit) release(child, finish);
    };
    const onAbort = () => stop('abort');
    const timer = spec.timeoutMs ? setTimeout(() => stop('timeout'), spec.timeoutMs) : undefined;
    spec.signal?.addEventListener('abort', onAbort, { once: true });

    child.on('error', (error: NodeJS.ErrnoException) => {
      if (child.pid === undefined) finish(new CommandExecutionError(`Unable to run command '${spec.argv[0]}', reason: ${error.message}`, { cause: error }));
    });
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      if (stopped) release(child, finish);
    });
    child.on('close', () => finish());
  });
}

/** Starts a process that outlives the call (Salt's bg=True): no output, no waiting. */
export function spawnBackground(spec: Omit<ProcessSpec, 'mergeStderr' | 'timeoutMs' | 'signal'>): Promise<number> {
  const [file, args] = wrap({ ...spec, mergeStderr: false, stdin: undefined });
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: spec.cwd,
      env: spec.env,
      detached: true,
      stdio: 'ignore',
      ...(spec.uid !== undefined ? { uid: spec.uid } : {}),
      ...(spec.gid !== undefined ? { gid: spec.gid } : {}),
    });
    child.once('error', (error) => reject(new CommandExecutionError(`Unable to run command '${spec.argv[0]}', reason: ${error.message}`, { cause: error })));
    child.once('spawn', () => {
      child.unref();
      resolve(child.pid ?? 0);
    });
  });
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL'); // the group is gone already; make sure the leader is too
  }
}

// After a kill, pipes may stay open in processes that left the group; stop reading them.
function release(child: ChildProcess, finish: () => void): void {
  child.stdout?.destroy();
  child.stderr?.destroy();
  finish();
}

function returnCode(exit: { code: number | null; signal: NodeJS.Signals | null } | undefined): number {
  if (exit?.code !== null && exit?.code !== undefined) return exit.code;
  const signal = exit?.signal;
  return signal ? -(constants.signals[signal] ?? 0) : -1;
}
