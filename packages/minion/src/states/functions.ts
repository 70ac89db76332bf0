/**
 * Builds the table of every state function the minion has, keyed 'module.function'.
 */
import { testStates, type StateFunction } from '@saltmq/common';
import { cmdStates } from './cmd.js';
import type { StateDeps } from './deps.js';
import { fileStates } from './file.js';
import { groupStates } from './group.js';
import { pkgStates } from './pkg.js';
import { serviceStates } from './service.js';
import { userStates } from './user.js';

/** Every state function keyed 'module.function' ('file.managed'), built over the shared deps. */
export function makeStateFunctions(deps: StateDeps): Record<string, StateFunction> {
  const modules: Record<string, Readonly<Record<string, StateFunction>>> = {
    test: testStates,
    file: fileStates(deps),
    cmd: cmdStates(deps),
    pkg: pkgStates(deps),
    service: serviceStates(deps),
    user: userStates(deps),
    group: groupStates(deps),
  };
  const out: Record<string, StateFunction> = {};
  for (const [mod, functions] of Object.entries(modules)) {
    for (const [fun, impl] of Object.entries(functions)) out[`${mod}.${fun}`] = impl;
  }
  return out;
}
