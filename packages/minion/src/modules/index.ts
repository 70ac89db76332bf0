import type { MinionAgent } from '../agent.js';
import type { ExecutionFunction, Module } from '../loader.js';
import { cmd } from './cmd.js';
import { event } from './event.js';
import { grains } from './grains.js';
import { makeSaltutilModule } from './saltutil.js';
import { makeSysModule } from './sys.js';
import { test } from './test.js';
import { FileClient } from '../fileclient/index.js';
import { makeCpModule } from './cp.js';
import { pillar } from './pillar.js';
import { makeStateModule } from './state.js';

/**
 * Every execution module the minion loads, listed out (no directory scanning): the list is what a
 * minion can do. Modules that need the agent (jobs, the registry itself) are built here.
 */
export function makeModules(agent: MinionAgent): Module<ExecutionFunction>[] {
  const { config, log } = agent.deps;
  const files = new FileClient({ request: (method, params) => agent.request(method, params), cachedir: config.cachedir, log: log.child({ component: 'fileclient' }) });
  return [
    makeCpModule(() => files),
    pillar,
    makeStateModule({ registry: () => agent.registry, fileClient: () => files, cachedir: config.cachedir }),
    test,
    cmd,
    grains,
    event,
    makeSysModule(() => agent.registry),
    makeSaltutilModule({ runner: agent.runner, refreshGrains: () => agent.refreshGrains() }),
  ];
}
