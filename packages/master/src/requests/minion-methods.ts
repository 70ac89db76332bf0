import { InvocationError, type Json } from '@saltmq/common';
import type { GrainsCache } from '../minions/grains-cache.js';
import type { PillarCompiler } from '../pillar/pillar.js';
import type { RequestRouter } from './router.js';

export interface MinionMethodDeps {
  grains: GrainsCache;
  pillar: PillarCompiler;
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
  router.register('grains.update', async (params, caller) => {
    if (!params.grains || typeof params.grains !== 'object' || Array.isArray(params.grains)) throw new InvocationError("'grains' must be a mapping");
    await deps.grains.set(caller.id, params.grains as Record<string, Json>);
    return true;
  });
}
