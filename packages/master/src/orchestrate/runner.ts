import { hostname } from 'node:os';
import { buildHighState, compileHighData, InvocationError, listArg, pillarArg, runChunks, SlsFile, SlsRenderer, stateRetcode } from '@saltmq/common';
import type { MasterConfig } from '../config.js';
import type { FileRoots } from '../fileserver/index.js';
import type { RunnerFunction } from '../runners/runner.js';
import { makeOrchStates, type OrchDeps } from './orch-states.js';

/**
 * Salt's orchestrate runner: `saltmq-run state.orchestrate orch.deploy [pillar='{...}']`, also the
 * reactor's `runner.state.orchestrate` with `mods` and `pillar` carrying event data. Orchestration SLS
 * files come from file_roots, render as jinja|yaml on the master, and run through the shared state
 * engine; the return is Salt's `{outputter: highstate, data: {<master>_master: ...}}`.
 */
export function makeOrchestrateRunner(config: Readonly<MasterConfig>, roots: FileRoots, deps: () => OrchDeps, saltFunctions: () => Record<string, unknown>): Record<string, RunnerFunction> {
  const renderers = new Map<string, SlsRenderer>();
  const rendererFor = (env: string) => renderers.get(env) ?? renderers.set(env, new SlsRenderer({ searchPaths: config.file_roots[env] ?? [], guardOutput: true })).get(env)!;
  const orchestrate: RunnerFunction = {
    params: ['mods', 'saltenv', 'test', 'exclude', 'pillar', 'pillarenv', 'pillar_enc', 'orchestration_jid'],
    async run(a) {
      const mods = listArg(a.mods);
      if (mods.length === 0) throw new InvocationError('state.orchestrate needs the name of an orchestration SLS (mods)');
      const saltenv = typeof a.saltenv === 'string' && a.saltenv ? a.saltenv : 'base';
      const pillar = pillarArg(a.pillar);
      const test = a.test === true || a.test === 'True';
      const loader = async (sls: string, env: string) => {
        const base = sls.replace(/\./g, '/');
        for (const candidate of [`${base}.sls`, `${base}/init.sls`]) {
          const found = await roots.find(candidate, env).catch(() => undefined);
          if (!found) continue;
          const data = await rendererFor(env).renderFile(found.real, { pillar, salt: saltFunctions(), opts: { ...config }, saltenv: env, sls, grains: {} });
          return new SlsFile(data ?? {}, candidate);
        }
        return undefined;
      };
      const master = `${hostname()}_master`;
      const built = await buildHighState(mods, saltenv, loader);
      if (built.errors.length) return { outputter: 'highstate', data: { [master]: built.errors }, retcode: 1 };
      const { chunks, errors } = compileHighData(built.high);
      if (errors.length) return { outputter: 'highstate', data: { [master]: errors }, retcode: 1 };
      const functions = makeOrchStates(deps());
      const ret = await runChunks(chunks, { test, lookup: (state, fun) => functions[`${state}.${fun}`] });
      return { outputter: 'highstate', data: { [master]: ret }, retcode: stateRetcode(ret, built.high) };
    },
  };
  return { 'state.orchestrate': orchestrate, 'state.orch': orchestrate, 'state.sls': orchestrate };
}

