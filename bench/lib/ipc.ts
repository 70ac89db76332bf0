/**
 * A small request/response layer over child_process IPC for the bench's worker processes (the
 * simulated fleet, the bare broker and the bare clients). The parent calls named commands; a worker
 * also pushes progress on its own.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { trackChild } from './cleanup.js';
import { childNodeArgs } from './node-args.js';

type Reply = { re: number; ok: true; result: unknown } | { re: number; ok: false; error: string };
type Push = { push: string; data: unknown };
type Call = { id: number; cmd: string; args: unknown };

export class WorkerHandle {
  #next = 1;
  readonly #waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  onPush: (push: string, data: unknown) => void = () => undefined;

  constructor(
    readonly child: ChildProcess,
    readonly name: string,
  ) {
    child.on('message', (message: Reply | Push) => {
      if ('push' in message) return this.onPush(message.push, message.data);
      const waiter = this.#waiting.get(message.re);
      if (!waiter) return;
      this.#waiting.delete(message.re);
      if (message.ok) waiter.resolve(message.result);
      else waiter.reject(new Error(`${name}: ${message.error}`));
    });
    // a send to a worker that died is reported by the call, not as an unhandled 'error'
    child.on('error', () => undefined);
    child.once('exit', (code, signal) => {
      for (const waiter of this.#waiting.values()) waiter.reject(new Error(`${name} exited (${code ?? signal}) during a call`));
      this.#waiting.clear();
    });
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  call<T = unknown>(cmd: string, args: unknown = {}, timeoutMs = 600_000): Promise<T> {
    const id = this.#next++;
    if (!this.child.connected) return Promise.reject(new Error(`${this.name} is gone; cannot '${cmd}'`));
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(id);
        reject(new Error(`${this.name}: '${cmd}' did not answer within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      this.#waiting.set(id, {
        resolve: (value) => (clearTimeout(timer), resolve(value as T)),
        reject: (error) => (clearTimeout(timer), reject(error)),
      });
      this.child.send({ id, cmd, args } satisfies Call);
    });
  }

  /** Asks the worker to exit and waits for it. */
  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.disconnect();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

/** Forks a TypeScript worker under tsx (the parent's own loader), registered for cleanup. */
export async function forkWorker(file: string, name: string, nodeArgs: string[] = []): Promise<WorkerHandle> {
  const child = trackChild(fork(file, [], { execArgv: ['--import', 'tsx', ...childNodeArgs, ...nodeArgs], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  const handle = new WorkerHandle(child, name);
  // the worker says hello once its modules are loaded, so the first call is not raced by imports
  await new Promise<void>((resolve, reject) => {
    const previous = handle.onPush;
    handle.onPush = (push, data) => (push === 'hello' ? ((handle.onPush = previous), resolve()) : previous(push, data));
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}) while starting`)));
  });
  return handle;
}

// ---------------------------------------------------------------------------------------------------
// worker side

export type Handlers = Record<string, (args: never) => unknown>;

/** Serves commands until the parent goes away: a worker never outlives the bench. */
export function serve(handlers: Handlers): void {
  process.on('message', (message: Call) => {
    const handler = handlers[message.cmd];
    const reply = (r: Reply) => process.send?.(r);
    if (!handler) return reply({ re: message.id, ok: false, error: `unknown command '${message.cmd}'` });
    Promise.resolve()
      .then(() => handler(message.args as never))
      .then(
        (result) => reply({ re: message.id, ok: true, result: result ?? null }),
        (error: unknown) => reply({ re: message.id, ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
      );
  });
  process.on('disconnect', () => process.exit(0));
  push('hello', null);
}

export function push(name: string, data: unknown): void {
  process.send?.({ push: name, data } satisfies Push);
}
