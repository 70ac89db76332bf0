import type { Logger } from '@saltmq/common';
import type { MinionConfig } from '../config.js';
import type { JobRunner } from '../jobs/job-runner.js';
import type { ExecutionFunction, Module, Registry } from '../loader.js';
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

/** What the modules need from the process that loads them: the agent, or saltmq-call. */
export interface ModuleHost {
  config: Readonly<MinionConfig>;
  log: Logger;
  registry(): Registry<ExecutionFunction>;
  /** the jobs running in this process (saltutil.running, kill_job) */
  jobs: Pick<JobRunner, 'running' | 'kill'>;
  /** asks the master, or, masterless, the local file server and pillar */
  request(method: string, params: Record<string, unknown>): Promise<unknown>;
  refreshGrains(): Promise<void>;
}

/**
 * Every execution module the minion loads, listed out (no directory scanning): the list is what a
 * minion can do. Modules that need their host (jobs, the registry itself) are built here.
 */
export function makeModules(host: ModuleHost): Module<ExecutionFunction>[] {
  const { config, log } = host;
  const files = new FileClient({ request: (method, params) => host.request(method, params), cachedir: config.cachedir, log: log.child({ component: 'fileclient' }) });
  return [
    makeCpModule(() => files),
    pillar,
    makeStateModule({ registry: () => host.registry(), fileClient: () => files, cachedir: config.cachedir }),
    test,
    cmd,
    grains,
    event,
    makeSysModule(() => host.registry()),
    makeSaltutilModule({ runner: host.jobs, refreshGrains: () => host.refreshGrains() }),
  ];
}
