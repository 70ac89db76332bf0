import { type JobBody, type Json, type Logger, type ReturnMessage } from '@saltmq/common';
import type { CallContext, ExecutionFunction, Grains, Registry } from '../loader.js';
import { execute } from './execute.js';
import { checkJob } from './job-guard.js';
import type { ReturnOutbox } from './outbox.js';
import type { SeenJids } from './seen-jids.js';

/** A job in progress, as saltutil.running reports it. */
export interface RunningJob {
  job: JobBody;
  pid: number;
  started: number;
  abort: AbortController;
}

export interface JobRunnerDeps {
  id: string;
  grains: () => Grains;
  registry: () => Registry<ExecutionFunction>;
  masterPub: () => string;
  seen: SeenJids;
  outbox: ReturnOutbox;
  log: Logger;
  /** sends a return or progress note to the master */
  send(message: ReturnMessage): Promise<void>;
  fireEvent(tag: string, data: unknown): Promise<void>;
  /** builds the context for a job's top-level call */
  context(job: JobBody, signal: AbortSignal): CallContext;
}

/** A job still running after this long tells the master so (`running`); quick jobs just return. */
const PROGRESS_AFTER_MS = 250;

/**
 * Runs jobs as they arrive, each on its own, so a long cmd.run never holds up a test.ping. The jid
 * is recorded before the job starts (no replay after a crash), and the return is stored before it is
 * sent (no loss while the master is away).
 */
export class JobRunner {
  readonly running = new Map<string, RunningJob>();

  constructor(readonly deps: JobRunnerDeps) {}

  async receive(payload: Buffer): Promise<void> {
    const { deps } = this;
    const verdict = checkJob(payload, { masterPub: deps.masterPub(), seen: deps.seen, id: deps.id, grains: deps.grains() });
    if (!verdict.ok) {
      deps.log.warn('job refused', { jid: verdict.jid, reason: verdict.reason });
      await deps.fireEvent(`salt/minion/${deps.id}/job/refused`, { jid: verdict.jid ?? null, reason: verdict.reason }).catch(() => undefined);
      if (verdict.jid) await deps.send({ v: 1, kind: 'progress', jid: verdict.jid, state: 'refused', reason: verdict.reason }).catch(() => undefined);
      return;
    }
    const { job } = verdict;
    await deps.seen.add(job.jid, job.expires);
    const abort = new AbortController();
    const entry: RunningJob = { job, pid: process.pid, started: Date.now(), abort };
    this.running.set(job.jid, entry);
    deps.log.info('job started', { jid: job.jid, fun: job.fun });
    const progress = setTimeout(() => void deps.send({ v: 1, kind: 'progress', jid: job.jid, state: 'running' }).catch(() => undefined), PROGRESS_AFTER_MS);
    try {
      const outcome = await execute(deps.registry(), job.fun, job.arg, deps.context(job, abort.signal));
      const ret: Extract<ReturnMessage, { kind: 'ret' }> = {
        v: 1,
        kind: 'ret',
        jid: job.jid,
        fun: job.fun,
        fun_args: job.arg as Json[],
        return: outcome.return,
        retcode: outcome.retcode,
        success: outcome.success,
      };
      if (outcome.out) ret.out = outcome.out;
      await deps.outbox.put(ret);
      await deps.send(ret).catch((error: Error) => deps.log.info('return kept for later delivery', { jid: job.jid, reason: error.message }));
    } finally {
      clearTimeout(progress);
      this.running.delete(job.jid);
    }
  }

  /** saltutil.kill_job: aborts the job's functions (commands are killed with their process groups). */
  kill(jid: string): boolean {
    const entry = this.running.get(jid);
    if (!entry) return false;
    entry.abort.abort(new Error('killed by saltutil.kill_job'));
    return true;
  }

  /** Aborts everything on shutdown. */
  abortAll(): void {
    for (const entry of this.running.values()) entry.abort.abort(new Error('the minion is stopping'));
  }
}

