import type { MasterConfig } from '../config.js';
import type { MasterMinion } from '../master-minion.js';

/**
 * What a reactor template sees besides `tag` and `data`: `salt` (the master's own functions, as Salt's
 * MasterMinion offers them: pillar.get, grains.get, environ.get, log.*, saltutil.runner/wheel), `opts`
 * (the master config), `saltenv`, the master's `grains`, and an empty `pillar` (Salt documents that a
 * minion's pillar is not available in the reactor; `salt['pillar.get']` reads the master's own).
 */
export function reactorContext(config: Readonly<MasterConfig>, master: MasterMinion): Record<string, unknown> {
  return { salt: master.functions(), opts: { ...config }, saltenv: 'base', grains: master.grains, pillar: {} };
}
