import { InvocationError, tagProblem } from '@saltmq/common';
import type { EventBus } from '../events/event-bus.js';
import type { RunnerFunction } from './runner.js';

/** Salt's event runner: `saltmq-run event.send <tag> [data]` fires an event on the master's bus. */
export function makeEventRunner(events: EventBus): Record<string, RunnerFunction> {
  return {
    'event.send': {
      params: ['tag', 'data'],
      async run(a) {
        const problem = tagProblem(a.tag);
        if (problem) throw new InvocationError(problem);
        let data: unknown = a.data ?? {};
        if (typeof data === 'string') {
          try {
            data = JSON.parse(data) as unknown;
          } catch {
            data = { data };
          }
        }
        if (!data || typeof data !== 'object' || Array.isArray(data)) data = { data };
        const extra = Object.fromEntries(Object.entries(a).filter(([k]) => k !== 'tag' && k !== 'data'));
        await events.fire(a.tag as string, { ...(data as Record<string, unknown>), ...extra });
        return true;
      },
    },
  };
}
