import { dirname, isAbsolute } from 'node:path';
import { userInfo } from 'node:os';
import { SlsRenderer, type AppendLog, type Logger } from '@saltmq/common';
import type { MasterConfig } from '../config.js';
import type { EventBus, JournalRecord } from '../events/event-bus.js';
import type { JobService } from '../jobs/job-service.js';
import type { MasterMinion } from '../master-minion.js';
import type { RunnerService } from '../runners/runner.js';
import type { WheelFunction } from '../wheel/key.js';
import { Checkpoint } from './checkpoint.js';
import type { CompileDeps } from './compile.js';
import { reactorContext } from './context.js';
import { RuleMatcher } from './match.js';
import { Reactor } from './reactor.js';
import { loadRules } from './rules.js';
import { cachedResolver, type SaltUrlResolver } from './sls-paths.js';

export interface ReactorHandle {
  reactor: Reactor;
  compile: CompileDeps;
  /** re-reads the `reactor:` option (SIGHUP) */
  reload(config: Readonly<MasterConfig>): Promise<void>;
  stop(): Promise<void>;
}

export interface StartReactorDeps {
  config: Readonly<MasterConfig>;
  events: EventBus;
  journal: AppendLog<JournalRecord>;
  jobs: JobService;
  runners: RunnerService;
  wheel: Record<string, WheelFunction>;
  resolveSaltUrl: SaltUrlResolver;
  /** the master's own functions, grains and pillar for templates */
  masterMinion: MasterMinion;
  log: Logger;
}

function searchPaths(config: Readonly<MasterConfig>, refs: string[]): string[] {
  const dirs = refs.filter((ref) => isAbsolute(ref)).map((ref) => dirname(ref.replace(/[*?[].*$/, 'x')));
  return [...new Set([...dirs, ...(config.file_roots.base ?? [])])];
}

/** Builds the reactor from the master config and starts it on the event bus. */
export async function startReactor(deps: StartReactorDeps): Promise<ReactorHandle> {
  const { config, log } = deps;
  const { rules, problems } = await loadRules(config.reactor);
  for (const problem of problems) log.warn('reactor config problem', { problem });
  const matcher = new RuleMatcher(rules);
  const compile: CompileDeps = {
    matcher,
    renderer: new SlsRenderer({ searchPaths: searchPaths(config, rules.flatMap((r) => r.sls)), guardOutput: true }),
    resolveRef: cachedResolver(deps.resolveSaltUrl),
    context: reactorContext(config, deps.masterMinion),
  };
  const checkpoint = await Checkpoint.open(config.cachedir);
  const reactor = new Reactor({
    events: deps.events,
    journal: deps.journal,
    checkpoint,
    compile,
    dispatch: { jobs: deps.jobs, runners: deps.runners, wheel: deps.wheel, events: deps.events, user: userInfo().username },
    workers: config.reactor_worker_threads,
    hwm: config.reactor_worker_hwm,
    log,
  });
  const unsubscribe = reactor.start();
  log.info('reactor started', { rules: rules.length, resume_after: checkpoint.seq });
  return {
    reactor,
    compile,
    async reload(next) {
      const loaded = await loadRules(next.reactor);
      for (const problem of loaded.problems) log.warn('reactor config problem', { problem });
      matcher.setRules(loaded.rules);
      compile.renderer = new SlsRenderer({ searchPaths: searchPaths(next, loaded.rules.flatMap((r) => r.sls)), guardOutput: true });
      log.info('reactor config reloaded', { rules: loaded.rules.length });
    },
    async stop() {
      unsubscribe();
      await reactor.stop();
    },
  };
}
