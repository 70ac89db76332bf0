import { buildHighState, compileHighData, InvocationError, listArg, mergePillar, pillarArg, runChunks, SlsFile, SlsRenderer, stateRetcode, type FileRoots } from '@saltmq/common';
import type { MasterConfig } from '../config.js';
import type { MasterMinion } from '../master-minion.js';
import type { RunnerFunction } from '../runners/runner.js';
import { makeOrchStates, type OrchDeps } from './orch-states.js';

/**
 * Salt's orchestrate runner: `saltmq-run state.orchestrate orch.deploy [pillar='{...}']`, also the
 * reactor's `runner.state.orchestrate` with `mods` and `pillar` carrying event data. Orchestration SLS
 * files come from file_roots, render as jinja|yaml on the master, and run through the shared state
 * engine; the return is Salt's `{outputter: highstate, data: {<master>_master: ...}}`.
 */
export function makeOrchestrateRunner(config: Readonly<MasterConfig>, roots: FileRoots, deps: () => OrchDeps, masterMinion: () => MasterMinion): Record<string, RunnerFunction> {
  const renderers = new Map<string, SlsRenderer>();
  const rendererFor = (env: string) => renderers.get(env) ?? renderers.set(env, new SlsRenderer({ searchPaths: config.file_roots[env] ?? [], guardOutput: true })).get(env)!;
  const orchestrate: RunnerFunction = {
    params: ['mods', 'saltenv', 'test', 'exclude', 'pillar', 'pillarenv', 'pillar_enc', 'orchestration_jid'],
    async run(a) {
      const mods = listArg(a.mods);
      if (mods.length === 0) throw new InvocationError('state.orchestrate needs the name of an orchestration SLS (mods)');
      const saltenv = typeof a.saltenv === 'string' && a.saltenv ? a.saltenv : 'base';
      const master = masterMinion();
      const override = pillarArg(a.pillar);
      // Salt lays the orchestration's pillar= over the master's own pillar; templates see the result.
      const pillar = mergePillar(structuredClone(await master.pillar(typeof a.pillarenv === 'string' ? a.pillarenv : undefined)), override);
      const salt = master.functions(override);
      const test = a.test === true || a.test === 'True';
      const loader = async (sls: string, env: string) => {
        const base = sls.replace(/\./g, '/');
        for (const candidate of [`${base}.sls`, `${base}/init.sls`]) {
          const found = await roots.find(candidate, env).catch(() => undefined);
          if (!found) continue;
          const data = await rendererFor(env).renderFile(found.real, { pillar, salt, opts: { ...config }, saltenv: env, sls, grains: master.grains });
          return new SlsFile(data ?? {}, candidate);
        }
        return undefined;
      };
      const built = await buildHighState(mods, saltenv, loader);
      if (built.errors.length) return { outputter: 'highstate', data: { [master.id]: built.errors }, retcode: 1 };
      const { chunks, errors } = compileHighData(built.high);
      if (errors.length) return { outputter: 'highstate', data: { [master.id]: errors }, retcode: 1 };
      const functions = makeOrchStates(deps());
      const ret = await runChunks(chunks, { test, lookup: (state, fun) => functions[`${state}.${fun}`] });
      return { outputter: 'highstate', data: { [master.id]: ret }, retcode: stateRetcode(ret, built.high) };
    },
  };
  return { 'state.orchestrate': orchestrate, 'state.orch': orchestrate, 'state.sls': orchestrate };
}

