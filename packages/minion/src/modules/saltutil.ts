import { isJid, InvocationError } from '@saltmq/common';
import { fn, type ExecutionFunction, type Module } from '../loader.js';
import type { JobRunner } from '../jobs/job-runner.js';

export interface SaltutilDeps {
  runner: Pick<JobRunner, 'running' | 'kill'>;
  /** recomputes grains and reports them to the master */
  refreshGrains(): Promise<void>;
}

const describe = (runner: SaltutilDeps['runner'], jid: string) => {
  const entry = runner.running.get(jid);
  if (!entry) return undefined;
  const { job } = entry;
  return { jid: job.jid, fun: job.fun, arg: job.arg, tgt: job.tgt, tgt_type: job.tgt_type, user: job.user, ret: job.ret, pid: entry.pid };
};

/** Salt's saltutil functions that make sense here: the job table, and grains refresh. */
export function makeSaltutilModule(deps: SaltutilDeps): Module<ExecutionFunction> {
  return {
    name: 'saltutil',
    functions: {
      running: fn([], 'Return the data on all running salt processes on the minion.', (ctx) =>
        [...deps.runner.running.keys()].filter((jid) => jid !== ctx.jid).map((jid) => describe(deps.runner, jid)),
      ),
      find_job: fn(['jid'], 'Return the data for a specific job id that is currently running.', (_ctx, a) => describe(deps.runner, String(a.jid)) ?? {}, { required: 1 }),
      kill_job: fn(['jid'], 'Stop a running job: its commands are killed with their process groups.', (_ctx, a) => {
        const jid = String(a.jid);
        if (!isJid(jid)) throw new InvocationError(`'${jid}' is not a job id`);
        const entry = describe(deps.runner, jid);
        if (!entry || !deps.runner.kill(jid)) return '';
        return `Signal 9 sent to job ${jid} at pid ${entry.pid}`;
      }, { required: 1 }),
      term_job: fn(['jid'], 'Alias of kill_job: saltmq aborts the job and kills its process groups.', (_ctx, a) => {
        const jid = String(a.jid);
        return deps.runner.kill(jid) ? `Signal 15 sent to job ${jid}` : '';
      }, { required: 1 }),
      refresh_grains: fn([], 'Recompute the grains and send them to the master.', async () => {
        await deps.refreshGrains();
        return true;
      }, { anyKwargs: true }),
      is_running: fn(['fun'], 'Whether a function is running now, and the jobs running it.', (_ctx, a) =>
        [...deps.runner.running.values()].filter((e) => e.job.fun === a.fun).map((e) => describe(deps.runner, e.job.jid)),
      ),
    },
  };
}
