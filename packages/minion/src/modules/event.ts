import { tagProblem, InvocationError } from '@saltmq/common';
import { fn, type ExecutionFunction, type Module } from '../loader.js';

/** The master refuses a minion's events under salt/ other than its own; say so here, before sending. */
function ownTagProblem(id: string, tag: string): string | undefined {
  if (!tag.startsWith('salt/')) return undefined;
  if (tag.startsWith(`salt/minion/${id}/`) || tag.startsWith(`salt/beacon/${id}/`)) return undefined;
  return `a minion may fire under salt/ only as salt/minion/${id}/... (the master would refuse '${tag}')`;
}

/**
 * Salt's event module: events land on the master's bus under the given tag, wrapped with this
 * minion's proven id (the master refuses `salt/` tags other than the minion's own).
 */
export const event = {
  name: 'event',
  functions: {
    send: fn(
      ['tag', 'data', 'preload', 'with_env', 'with_grains', 'with_pillar'],
      'Send an event to the Salt Master: event.send TAG [data] [key=value ...]',
      async (ctx, a) => {
        const tag = a.tag;
        const problem = tagProblem(tag) ?? ownTagProblem(ctx.id, tag as string);
        if (problem) throw new InvocationError(problem);
        const payload: Record<string, unknown> = {};
        if (a.with_env) payload.environ = { ...process.env };
        if (a.with_grains) payload.grains = Array.isArray(a.with_grains) ? Object.fromEntries(a.with_grains.map((g: unknown) => [String(g), ctx.grains[String(g)]])) : ctx.grains;
        Object.assign(payload, a._kwargs);
        if (a.data && typeof a.data === 'object' && !Array.isArray(a.data)) Object.assign(payload, a.data);
        else if (a.data !== undefined && a.data !== null) payload.data = a.data;
        await ctx.fireEvent(tag as string, payload);
        return true;
      },
      { required: 1, anyKwargs: true },
    ),
    fire_master: fn(['data', 'tag', 'preload'], 'Fire an event off up to the master server: event.fire_master DATA TAG', async (ctx, a) => {
      const problem = tagProblem(a.tag) ?? ownTagProblem(ctx.id, a.tag as string);
      if (problem) throw new InvocationError(problem);
      await ctx.fireEvent(a.tag as string, a.data ?? {});
      return true;
    }, { required: 2 }),
  },
} satisfies Module<ExecutionFunction>;
