import { InvocationError, tagProblem } from '@saltmq/common';
import type { MasterConfig } from '../config.js';
import type { EventBus } from '../events/event-bus.js';
import type { JobService, PublishRequest } from '../jobs/job-service.js';
import type { RunnerService } from '../runners/runner.js';
import type { WheelFunction } from '../wheel/key.js';
import type { RequestRouter } from './router.js';

export interface AdminDeps {
  wheel: Record<string, WheelFunction>;
  events: EventBus;
  config: Readonly<MasterConfig>;
  jobs: JobService;
  runners: RunnerService;
}

const kwargsOf = (params: Record<string, unknown>) =>
  params.kwarg && typeof params.kwarg === 'object' && !Array.isArray(params.kwarg) ? (params.kwarg as Record<string, unknown>) : {};

/** What the CLIs on the master host may ask the master to do. */
export function registerAdminMethods(router: RequestRouter, deps: AdminDeps): void {
  router.register('ping', async () => ({ pong: true }));
  router.register('wheel', async (params) => {
    const fun = String(params.fun ?? '');
    const impl = deps.wheel[fun];
    if (!impl) throw new InvocationError(`'wheel.${fun}' is not available.`);
    return impl(kwargsOf(params));
  });
  router.register('prep_jid', async () => deps.jobs.prepJid());
  router.register('publish', async (params, caller) => {
    if (typeof params.fun !== 'string' || params.fun === '') throw new InvocationError("'fun' is required");
    const tgt = params.tgt;
    if (typeof tgt !== 'string' && !(Array.isArray(tgt) && tgt.every((t) => typeof t === 'string'))) throw new InvocationError("'tgt' must be a string or a list");
    const request: PublishRequest = { tgt, fun: params.fun, arg: Array.isArray(params.arg) ? (params.arg as NonNullable<PublishRequest['arg']>) : [] };
    if (typeof params.tgt_type === 'string') request.tgt_type = params.tgt_type;
    if (typeof params.jid === 'string') request.jid = params.jid;
    if (typeof params.job_ttl === 'number' && params.job_ttl > 0) request.job_ttl = params.job_ttl;
    request.user = typeof params.user === 'string' && params.user ? params.user : caller.id;
    return deps.jobs.publish(request);
  });
  router.register('runner', async (params, caller) => {
    const fun = String(params.fun ?? '');
    const arg = Array.isArray(params.arg) ? params.arg : [];
    return deps.runners.call(fun, arg, kwargsOf(params), typeof params.user === 'string' ? params.user : caller.id);
  });
  router.register('job.status', async (params) => deps.jobs.status(String(params.jid ?? '')) ?? null);
  router.register('event.fire', async (params) => {
    const tag = params.tag;
    const problem = tagProblem(tag);
    if (problem) throw new InvocationError(problem);
    const data = params.data && typeof params.data === 'object' && !Array.isArray(params.data) ? (params.data as Record<string, unknown>) : { data: params.data ?? null };
    await deps.events.fire(tag as string, data);
    return true;
  });
}
