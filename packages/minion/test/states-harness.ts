/**
 * Shared by the states-*.test.ts files: real state functions over a fake `deps.call` that maps
 * cp.cache_file to a temp "file server" directory and cmd.* to the real cmd execution module.
 */
import { mkdtemp, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TestContext } from 'node:test';
import { compileHighData, runChunks, SILENT_LOGGER, type ChunkReturn, type HighData, type StateResult } from '@saltmq/common';
import { bindArgs, Registry, type CallContext, type ExecutionFunction } from '../src/loader.js';
import { cmd } from '../src/modules/cmd.js';
import { makeStateFunctions, type StateDeps } from '../src/states/index.js';

export interface Harness {
  dir: string;
  /** where salt://<path> files live */
  roots: string;
  deps: StateDeps;
  fns: ReturnType<typeof makeStateFunctions>;
  /** every execution function call made, for assertions */
  calls: Array<{ fun: string; args: unknown[]; kwargs: Record<string, unknown> }>;
  addSaltFile(path: string, text: string): Promise<void>;
  run(fun: string, name: string, args?: Record<string, unknown>, o?: { test?: boolean; chunk?: Record<string, unknown> }): Promise<StateResult>;
  runHigh(high: HighData, test?: boolean): Promise<Record<string, ChunkReturn>>;
}

const registry = new Registry<ExecutionFunction>([cmd], {});

export async function harness(t: TestContext): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'saltmq-states-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const roots = join(dir, 'roots');
  const cachedir = join(dir, 'cache');
  await mkdir(roots);
  await mkdir(cachedir);
  const calls: Harness['calls'] = [];

  const call = async (fun: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}): Promise<unknown> => {
    calls.push({ fun, args, kwargs });
    if (fun === 'cp.cache_file') {
      const url = String(args[0]);
      if (!url.startsWith('salt://')) return '';
      const path = join(roots, url.slice('salt://'.length).split('?')[0]!);
      return stat(path).then(() => path, () => '');
    }
    const impl = registry.get(fun);
    const ctx: CallContext = {
      id: 'web1', grains: {}, opts: { shell: '/bin/sh' }, log: SILENT_LOGGER, jid: undefined, fromJob: false,
      signal: new AbortController().signal, retcode: undefined, call,
      fireEvent: () => Promise.resolve(), request: () => Promise.resolve({}),
    };
    return impl.run(ctx, bindArgs(fun, impl, args, kwargs));
  };

  const deps: StateDeps = {
    call,
    // a stand-in for Salt's jinja: {{ x }} becomes context.x
    renderTemplate: async (text, context) => text.replace(/\{\{\s*(\w+)\s*\}\}/g, (_m, key: string) => String(context[key] ?? '')),
    saltenv: 'base',
    cachedir,
    log: SILENT_LOGGER,
    signal: new AbortController().signal,
  };
  const fns = makeStateFunctions(deps);

  return {
    dir, roots, deps, fns, calls,
    async addSaltFile(path, text) {
      await mkdir(dirname(join(roots, path)), { recursive: true });
      await writeFile(join(roots, path), text);
    },
    async run(fun, name, args = {}, o = {}) {
      const impl = fns[fun];
      if (!impl) throw new Error(`no state function ${fun}`);
      const [state, f] = fun.split('.') as [string, string];
      const chunk = { state, fun: f, name, __id__: name, __sls__: 'test', __env__: 'base', order: 10000, ...args, ...o.chunk };
      return impl(name, args, { test: o.test ?? false, chunk, running: {} });
    },
    async runHigh(high, test = false) {
      const { chunks, errors } = compileHighData(high);
      if (errors.length > 0) throw new Error(errors.join('\n'));
      return runChunks(chunks, {
        test,
        lookup: (state, fun) => fns[`${state}.${fun}`],
        runCondition: async (command) => ((await call('cmd.run_all', [command], { python_shell: true })) as { retcode: number }).retcode,
        pathExists: (path) => stat(path).then(() => true, () => false),
      });
    },
  };
}

/** The state results of a run, by ID, for compact assertions. */
export function byId(results: Record<string, ChunkReturn>): Record<string, ChunkReturn> {
  return Object.fromEntries(Object.values(results).map((r) => [r.__id__, r]));
}

export const isRoot = process.getuid?.() === 0;
