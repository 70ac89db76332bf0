/**
 * Everything the bench starts is registered here, so it is stopped and removed on success, on
 * failure and on Ctrl-C alike. Only processes we started are signalled, each by its own handle.
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { rm } from 'node:fs/promises';

const children = new Set<ChildProcess>();
const dirs = new Set<string>();
let cleaning: Promise<void> | undefined;

const alive = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

export function trackChild(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

export function trackDir(dir: string): string {
  dirs.add(dir);
  return dir;
}

/** Stops one child: SIGTERM first (the master saves its state and writes a CPU profile), SIGKILL after a grace period. */
export async function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (!alive(child)) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => {
    if (alive(child)) child.kill('SIGKILL');
  }, graceMs);
  await exited;
  clearTimeout(timer);
}

export function cleanupAll(): Promise<void> {
  cleaning ??= (async () => {
    await Promise.all([...children].map((child) => stopChild(child)));
    for (const dir of dirs) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    dirs.clear();
  })();
  return cleaning;
}

/**
 * Ctrl-C and SIGTERM stop everything before the bench exits (130 is the shell's code for SIGINT);
 * so does a crash, which would otherwise leave masters and fleet processes running.
 */
export function installSignalHandlers(): void {
  const crash = (error: unknown) => {
    process.stderr.write(`bench crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    void cleanupAll().finally(() => process.exit(1));
  };
  process.once('uncaughtException', crash);
  process.once('unhandledRejection', crash);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`\n${signal}: stopping every process the bench started...\n`);
      void cleanupAll().finally(() => process.exit(130));
    });
  }
}
