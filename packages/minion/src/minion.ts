import { assertValidId, type Logger } from '@saltmq/common';
import { MinionAgent } from './agent.js';
import type { MinionConfig } from './config.js';
import { coreGrains } from './grains/core.js';
import { ReturnOutbox } from './jobs/outbox.js';
import { SeenJids } from './jobs/seen-jids.js';
import { loadOrCreateMinionKeys } from './keys.js';
import { Registry } from './loader.js';
import { makeModules } from './modules/index.js';
import { join } from 'node:path';

/** A minion that has its keys and grains and is connecting: `done` resolves with the exit code. */
export interface RunningMinion {
  agent: MinionAgent;
  done: Promise<number>;
  stop(): Promise<void>;
}

/** Starts a minion from its config: keys (made on first start), grains, the job stores, the agent. */
export async function startMinion(config: Readonly<MinionConfig>, log: Logger): Promise<RunningMinion> {
  assertValidId(config.id);
  const keys = await loadOrCreateMinionKeys(config.pki_dir, config.keysize, log);
  const grains = await coreGrains(config.id, config.grains);
  const seen = await SeenJids.open(join(config.cachedir, 'proc'));
  const outbox = await ReturnOutbox.open(config.cachedir);
  const agent = new MinionAgent({
    config,
    log,
    keys,
    grains,
    seen,
    outbox,
    makeRegistry: (self) => new Registry(makeModules(self.moduleHost()), grains),
  });
  const done = agent.run();
  return { agent, done, stop: () => agent.stop() };
}
