import { InvocationError, type Json, type PillarCompiler } from '@saltmq/common';
import type { JobService } from '../jobs/job-service.js';
import type { GrainsCache } from '../minions/grains-cache.js';
import type { RequestRouter } from './router.js';

export interface MinionMethodDeps {
  grains: GrainsCache;
  pillar: PillarCompiler;
  jobs: JobService;
}

/**
 * What an accepted minion may ask the master (the file server adds its own methods). The caller's id
 * is the one its connection proved: a minion can only ever ask about itself.
 */
export function registerMinionMethods(router: RequestRouter, deps: MinionMethodDeps): void {
  router.register('pillar.items', async (params, caller) => {
    const saltenv = typeof params.saltenv === 'string' && params.saltenv ? params.saltenv : undefined;
    const { pillar } = await deps.pillar.compile(caller.id, deps.grains.get(caller.id), saltenv ? { saltenv } : {});
    return pillar;
  });
  // saltmq-call's return, sent as Salt's salt-call sends one with jid 'req'
  router.register('job.standalone_return', async (params, caller) => {
    const { fun, fun_args: funArgs = [], retcode = 0, success = true, out } = params;
    if (typeof fun !== 'string' || fun === '') throw new InvocationError("'fun' must name the function that ran");
    if (!Array.isArray(funArgs)) throw new InvocationError("'fun_args' must be a list");
    if (typeof retcode !== 'number' || !Number.isInteger(retcode)) throw new InvocationError("'retcode' must be an integer");
    if (typeof success !== 'boolean') throw new InvocationError("'success' must be true or false");
    const ret = { fun, fun_args: funArgs as Json[], retcode, success, return: (params.return ?? null) as Json };
    return deps.jobs.recordStandalone(caller.id, typeof out === 'string' ? { ...ret, out } : ret);
  });
  router.register('grains.update', async (params, caller) => {
    if (!params.grains || typeof params.grains !== 'object' || Array.isArray(params.grains)) throw new InvocationError("'grains' must be a mapping");
    await deps.grains.set(caller.id, params.grains as Record<string, Json>);
    return true;
  });
}
