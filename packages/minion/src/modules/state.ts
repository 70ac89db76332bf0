import { buildHighState, InvocationError, listArg, pillarArg, type HighData, type StateFunction } from '@saltmq/common';
import { fn, type CallContext, type ExecutionFunction, type Module, type Registry } from '../loader.js';
import type { FileClient } from '../fileclient/index.js';
import { makeStateFunctions } from '../states/index.js';
import { saltFunctionTable } from '../state-system/context.js';
import { compileErrors, runHigh } from '../state-system/run-state.js';
import { SlsSource } from '../state-system/sls-source.js';
import { topMatches } from '../state-system/top.js';

export interface StateModuleDeps {
  registry: () => Registry<ExecutionFunction>;
  fileClient: () => FileClient;
  cachedir: string;
}

/**
 * One run can hold states from several environments (a highstate's top.sls names them): each state
 * function runs with the file server environment its chunk came from.
 */
function functionsByEnv(make: (env: string) => Record<string, StateFunction>, fallback: string): Record<string, StateFunction> {
  const tables = new Map<string, Record<string, StateFunction>>();
  const table = (env: string) => tables.get(env) ?? tables.set(env, make(env)).get(env)!;
  const out: Record<string, StateFunction> = {};
  for (const key of Object.keys(table(fallback))) {
    out[key] = (name, args, sctx) => table(typeof sctx.chunk.__env__ === 'string' ? sctx.chunk.__env__ : fallback)[key]!(name, args, sctx);
  }
  return out;
}

const truthy = (v: unknown) => v === true || v === 'True' || v === 'true' || v === 1;

/**
 * Salt's state module: state.sls, state.apply, state.highstate, state.single, state.test,
 * state.show_sls and state.show_top, with SLS files from the master's file server, pillar compiled by
 * the master for this minion only, and Salt's return shape and retcodes.
 */
export function makeStateModule(deps: StateModuleDeps): Module<ExecutionFunction> {
  const prepare = async (ctx: CallContext, a: Record<string, unknown>) => {
    const saltenv = typeof a.saltenv === 'string' && a.saltenv ? a.saltenv : 'base';
    const fetched = (await ctx.request('pillar.items', { saltenv: a.pillarenv ?? undefined }).catch(() => ({}))) as Record<string, unknown>;
    const pillar = { ...fetched, ...pillarArg(a.pillar) };
    const source = new SlsSource(deps.fileClient(), deps.cachedir);
    const salt = saltFunctionTable(deps.registry(), ctx);
    const context = (sls: string, env: string) => ({ grains: ctx.grains, pillar, salt, opts: ctx.opts, saltenv: env, sls });
    const test = a.test === undefined ? truthy(ctx.opts.test) : truthy(a.test);
    const functions = (env: string) =>
      makeStateFunctions({
        call: (fun, args, kwargs) => ctx.call(fun, args ?? [], kwargs ?? {}),
        renderTemplate: (text, vars, name) => source.renderer(env).renderTemplate(text, { ...context('', env), ...vars }, name),
        saltenv: env,
        cachedir: deps.cachedir,
        log: ctx.log,
        signal: ctx.signal,
      });
    return { saltenv, pillar, source, context, test, functions };
  };

  const sls = async (ctx: CallContext, a: Record<string, unknown>) => {
    const mods = listArg(a.mods);
    if (mods.length === 0) throw new InvocationError('state.sls needs the name of at least one SLS file');
    const run = await prepare(ctx, a);
    const { high, errors } = await buildHighState(mods, run.saltenv, run.source.loader(run.context));
    if (errors.length) return compileErrors(ctx, errors);
    return runHigh(high, ctx, { test: run.test, functions: functionsByEnv(run.functions, run.saltenv) });
  };

  const highstate = async (ctx: CallContext, a: Record<string, unknown>) => {
    const run = await prepare(ctx, a);
    const envs = typeof a.saltenv === 'string' && a.saltenv ? [a.saltenv] : await ctx.request('file.list_envs', {}).then((e) => (Array.isArray(e) ? e.map(String) : ['base']), () => ['base']);
    const { matches, errors } = await topMatches(run.source, envs, { id: ctx.id, grains: ctx.grains, pillar: run.pillar }, run.context('top', 'base'));
    if (errors.length) return compileErrors(ctx, errors);
    const high: HighData = {};
    const problems: string[] = [];
    for (const [env, mods] of Object.entries(matches)) {
      const built = await buildHighState(mods, env, run.source.loader(run.context));
      problems.push(...built.errors);
      Object.assign(high, built.high);
    }
    if (problems.length) return compileErrors(ctx, problems);
    return runHigh(high, ctx, { test: run.test, functions: functionsByEnv(run.functions, run.saltenv) });
  };

  const options = { outputter: 'highstate', anyKwargs: true } as const;
  return {
    name: 'state',
    functions: {
      sls: fn(['mods', 'test', 'exclude', 'queue', 'saltenv', 'pillar', 'pillarenv'], 'Apply the states in the given SLS files: state.sls webserver,db [test=True] [saltenv=base] [pillar=\'{"k": "v"}\']', sls, options),
      apply: fn(['mods', 'test', 'exclude', 'queue', 'saltenv', 'pillar', 'pillarenv'], 'state.apply with mods is state.sls; without, the highstate.', (ctx, a) => (listArg(a.mods).length ? sls(ctx, a) : highstate(ctx, a)), options),
      highstate: fn(['test', 'queue', 'saltenv', 'pillar', 'pillarenv'], 'Apply the states top.sls assigns to this minion.', highstate, options),
      test: fn(['mods', 'saltenv', 'pillar'], 'state.apply in test mode: report what would change, change nothing.', (ctx, a) => (listArg(a.mods).length ? sls(ctx, { ...a, test: true }) : highstate(ctx, { ...a, test: true })), options),
      single: fn(['fun', 'name', 'test', 'saltenv', 'pillar'], 'Run one state function: state.single file.managed /etc/motd contents=hello', async (ctx, a) => {
        const fun = String(a.fun ?? '');
        const dot = fun.indexOf('.');
        if (dot < 1) throw new InvocationError(`'${fun}' is not a state function such as file.managed`);
        const run = await prepare(ctx, a);
        const args = Object.entries(a._kwargs).map(([k, v]) => ({ [k]: v }));
        const high: HighData = { [String(a.name)]: { [fun.slice(0, dot)]: [fun.slice(dot + 1), ...args], __sls__: 'single', __env__: run.saltenv } } as HighData;
        return runHigh(high, ctx, { test: run.test, functions: run.functions(run.saltenv) });
      }, { ...options, required: 2 }),
      show_sls: fn(['mods', 'saltenv', 'pillar'], 'The high data of SLS files, rendered but not run.', async (ctx, a) => {
        const run = await prepare(ctx, a);
        const { high, errors } = await buildHighState(listArg(a.mods), run.saltenv, run.source.loader(run.context));
        return errors.length ? compileErrors(ctx, errors) : high;
      }, { anyKwargs: true }),
      show_top: fn(['saltenv'], 'The SLS files top.sls assigns to this minion, per environment.', async (ctx, a) => {
        const run = await prepare(ctx, a);
        const { matches, errors } = await topMatches(run.source, ['base', ...(typeof a.saltenv === 'string' ? [a.saltenv] : [])], { id: ctx.id, grains: ctx.grains, pillar: run.pillar }, run.context('top', 'base'));
        return errors.length ? compileErrors(ctx, errors) : matches;
      }, { anyKwargs: true }),
    },
  };
}
