import { fn, type CallContext, type ExecutionFunction, type Module } from '../loader.js';
import { traverse } from '../grains/traverse.js';

async function fetchPillar(ctx: CallContext, saltenv?: unknown): Promise<Record<string, unknown>> {
  const pillar = await ctx.request('pillar.items', typeof saltenv === 'string' && saltenv ? { saltenv } : {});
  return pillar && typeof pillar === 'object' && !Array.isArray(pillar) ? (pillar as Record<string, unknown>) : {};
}

/** Salt's pillar module: the pillar the master compiled for this minion alone. */
export const pillar = {
  name: 'pillar',
  functions: {
    items: fn(['pillarenv', 'saltenv'], 'All pillar data the master assigns to this minion.', (ctx, a) => fetchPillar(ctx, a.pillarenv ?? a.saltenv), { anyKwargs: true }),
    data: fn(['pillarenv'], 'Alias of pillar.items.', (ctx, a) => fetchPillar(ctx, a.pillarenv), { anyKwargs: true }),
    raw: fn(['key'], 'The pillar data, or one top-level key of it.', async (ctx, a) => {
      const data = await fetchPillar(ctx);
      return typeof a.key === 'string' ? (data[a.key] ?? {}) : data;
    }),
    get: fn(['key', 'default', 'merge', 'delimiter', 'pillarenv', 'saltenv'], "A nested pillar value by 'a:b:c' path: pillar.get key [default]", async (ctx, a) => {
      const data = await fetchPillar(ctx, a.pillarenv ?? a.saltenv);
      return traverse(data, String(a.key ?? ''), a.default ?? '', typeof a.delimiter === 'string' ? a.delimiter : ':');
    }, { required: 1, anyKwargs: true }),
    item: fn([], 'The named pillar keys: pillar.item key1 key2', async (ctx, a) => {
      const data = await fetchPillar(ctx);
      return Object.fromEntries(a._args.map((k) => [String(k), traverse(data, String(k), '')]));
    }, { varargs: true }),
    ls: fn([], 'The top-level pillar keys.', async (ctx) => Object.keys(await fetchPillar(ctx)).sort()),
  },
} satisfies Module<ExecutionFunction>;
