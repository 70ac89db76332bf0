import { fnmatch, jidToTime, type Json } from '@saltmq/common';
import type { JobService } from '../jobs/job-service.js';
import type { JobEntry } from '../jobs/job-store.js';
import type { RunnerFunction } from './runner.js';

/** Salt's format_job_instance: the summary of one job in list_job and list_jobs. */
function jobInstance(entry: JobEntry): Record<string, unknown> {
  const { load } = entry;
  return {
    Function: load.fun || 'unknown-function',
    Arguments: load.arg,
    Target: load.tgt || 'unknown-target',
    'Target-type': load.tgt_type || 'list',
    User: load.user || 'root',
    StartTime: jidToTime(load.jid),
  };
}

function matchesAny(value: string, patterns: unknown): boolean {
  if (patterns === undefined || patterns === null || patterns === '') return true;
  const list = Array.isArray(patterns) ? patterns.map(String) : String(patterns).split(',');
  return list.some((p) => fnmatch(value, p.trim()));
}

const truthy = (v: unknown) => v === true || v === 'True' || v === 'true';

/** Salt's jobs runner over saltmq's job cache. */
export function makeJobsRunner(jobs: JobService): Record<string, RunnerFunction> {
  const store = jobs.deps.store;
  return {
    'jobs.lookup_jid': {
      params: ['jid', 'ext_source', 'returned', 'missing', 'display_progress'],
      async run(a) {
        const entry = store.job(String(a.jid ?? ''));
        if (!entry) return {};
        const data: Record<string, Json> = {};
        let outputter: string | undefined;
        for (const [id, ret] of entry.returns) {
          if (a.returned === undefined || truthy(a.returned) || a.returned === undefined) data[id] = ret.return;
          outputter ??= ret.out;
        }
        if (truthy(a.missing)) for (const id of entry.load.minions) if (!entry.returns.has(id)) data[id] = 'Minion did not return';
        return outputter ? { outputter, data } : data;
      },
    },
    'jobs.list_job': {
      params: ['jid', 'ext_source', 'display_progress'],
      async run(a) {
        const entry = store.job(String(a.jid ?? ''));
        if (!entry) return { Error: 'Cannot contact returner or no job with this jid' };
        const result: Record<string, unknown> = {};
        for (const [id, ret] of entry.returns) {
          result[id] = { return: ret.return, retcode: ret.retcode, success: ret.success, ...(ret.out ? { out: ret.out } : {}) };
        }
        return { jid: entry.load.jid, ...jobInstance(entry), Minions: entry.load.minions, Result: result };
      },
    },
    'jobs.list_jobs': {
      params: ['ext_source', 'outputter', 'search_metadata', 'search_function', 'search_target', 'start_time', 'end_time', 'display_progress'],
      async run(a) {
        const out: Record<string, unknown> = {};
        const entries = [...store.jobs()].sort((x, y) => (x.load.jid < y.load.jid ? -1 : 1));
        for (const entry of entries) {
          if (!matchesAny(entry.load.fun, a.search_function)) continue;
          const target = Array.isArray(entry.load.tgt) ? entry.load.tgt.join(',') : entry.load.tgt;
          if (!matchesAny(target, a.search_target)) continue;
          out[entry.load.jid] = jobInstance(entry);
        }
        return out;
      },
    },
    'jobs.exit_success': {
      params: ['jid', 'ext_source'],
      async run(a) {
        const entry = store.job(String(a.jid ?? ''));
        if (!entry) return {};
        return Object.fromEntries(entry.load.minions.map((id) => [id, entry.returns.get(id)?.retcode === 0]));
      },
    },
    'jobs.active': {
      params: ['display_progress'],
      async run() {
        const running = await jobs.runAndWait({ tgt: '*', fun: 'saltutil.running' }, 5000).catch(() => new Map());
        const out: Record<string, { Running: Record<string, number>[]; Returned: string[] } & Record<string, unknown>> = {};
        for (const [id, ret] of running) {
          if (!Array.isArray(ret.return)) continue;
          for (const job of ret.return as { jid?: string; pid?: number }[]) {
            if (!job?.jid) continue;
            const entry = store.job(job.jid);
            if (!out[job.jid]) out[job.jid] = { ...(entry ? jobInstance(entry) : {}), Running: [], Returned: entry ? [...entry.returns.keys()] : [] };
            out[job.jid]!.Running.push({ [id]: job.pid ?? 0 });
          }
        }
        return out;
      },
    },
    'jobs.status': {
      params: ['jid'],
      async run(a) {
        return jobs.status(String(a.jid ?? ''))?.minions ?? {};
      },
    },
  };
}
