import { InvocationError, tagProblem } from '@saltmq/common';
import type { MasterConfig } from '../config.js';
import type { EventBus } from '../events/event-bus.js';
import type { WheelFunction } from '../wheel/key.js';
import type { RequestRouter } from './router.js';

export interface AdminDeps {
  wheel: Record<string, WheelFunction>;
  events: EventBus;
  config: Readonly<MasterConfig>;
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
  router.register('event.fire', async (params) => {
    const tag = params.tag;
    const problem = tagProblem(tag);
    if (problem) throw new InvocationError(problem);
    const data = params.data && typeof params.data === 'object' && !Array.isArray(params.data) ? (params.data as Record<string, unknown>) : { data: params.data ?? null };
    await deps.events.fire(tag as string, data);
    return true;
  });
}
