import { hostname } from 'node:os';
import { mergePillar, templateArgs, type Json, type Logger, type PillarCompiler, type SaltFunctionTable } from '@saltmq/common';
import { coreGrains, traverse } from '@saltmq/minion';
import type { MasterConfig } from './config.js';
import type { RunnerService } from './runners/runner.js';
import type { WheelFunction } from './wheel/key.js';
import { wheelKwargs } from './wheel/key.js';

/** How long the master's own pillar is reused before it is compiled again. */
const PILLAR_TTL_MS = 10_000;

type Fn = (...args: unknown[]) => unknown;

export interface MasterMinionDeps {
  config: Readonly<MasterConfig>;
  pillar: PillarCompiler;
  runners: RunnerService;
  wheel: Record<string, WheelFunction>;
  log: Logger;
}

/**
 * Salt's MasterMinion: the functions reactor and orchestrate templates call on the master itself.
 * Its id is `<host>_master`, as in Salt; its grains are the master machine's (collected once, as a
 * minion does) and its pillar is what the master's own pillar_roots top file gives that id.
 */
export class MasterMinion {
  readonly id = `${hostname()}_master`;
  #grains: Record<string, Json> = {};
  readonly #pillars = new Map<string, { at: number; data: Promise<Record<string, unknown>> }>();

  constructor(readonly deps: MasterMinionDeps) {}

  /** Collects the grains; call once before the reactor starts. */
  async load(): Promise<this> {
    this.#grains = await coreGrains(this.id, {});
    return this;
  }

  get grains(): Readonly<Record<string, Json>> {
    return this.#grains;
  }

  /** The master's pillar (from one pillarenv, or all), compiled at most every ten seconds. */
  pillar(pillarenv?: string): Promise<Record<string, unknown>> {
    const key = pillarenv ?? '';
    const cached = this.#pillars.get(key);
    if (cached && Date.now() - cached.at < PILLAR_TTL_MS) return cached.data;
    const options = pillarenv === undefined ? {} : { saltenv: pillarenv };
    const data = this.deps.pillar.compile(this.id, this.#grains, options).then((r) => r.pillar);
    this.#pillars.set(key, { at: Date.now(), data });
    data.catch(() => this.#pillars.delete(key));
    return data;
  }

  /**
   * The `salt` table a template sees. `pillarOverride` is an orchestration's `pillar=`: Salt lays it
   * over the master's pillar, and `pillar.get` reads the result.
   */
  functions(pillarOverride?: Record<string, unknown>): SaltFunctionTable {
    const log = this.deps.log;
    const pillarOf = async (pillarenv: unknown) => {
      const base = await this.pillar(typeof pillarenv === 'string' && pillarenv !== '' ? pillarenv : undefined);
      return pillarOverride === undefined ? base : mergePillar(structuredClone(base), pillarOverride);
    };
    const table: Record<string, Fn> = {
      'pillar.get': async (...args) => {
        const { positional: [key, fallback = '', , , delimiter = ':'], kwargs } = templateArgs(args);
        const data = await pillarOf(kwargs.pillarenv ?? kwargs.saltenv);
        return traverse(data, String(kwargs.key ?? key), kwargs.default ?? fallback, String(kwargs.delimiter ?? delimiter));
      },
      'pillar.items': async (...args) => pillarOf(templateArgs(args).kwargs.pillarenv),
      'pillar.item': async (...args) => {
        const data = await pillarOf(undefined);
        return Object.fromEntries(templateArgs(args).positional.map((key) => [String(key), traverse(data, String(key), '')]));
      },
      'grains.get': (...args) => {
        const { positional: [key, fallback = '', delimiter = ':'], kwargs } = templateArgs(args);
        return traverse(this.#grains, String(kwargs.key ?? key), kwargs.default ?? fallback, String(kwargs.delimiter ?? delimiter));
      },
      'grains.items': () => this.#grains,
      'grains.item': (...args) => Object.fromEntries(templateArgs(args).positional.map((key) => [String(key), traverse(this.#grains, String(key), '')])),
      'environ.get': (...args) => {
        const { positional: [key, fallback = ''], kwargs } = templateArgs(args);
        return process.env[String(kwargs.key ?? key)] ?? kwargs.default ?? fallback;
      },
      'test.ping': () => true,
      'log.debug': (message) => log.debug('template log', { message: String(message) }),
      'log.info': (message) => log.info('template log', { message: String(message) }),
      'log.warning': (message) => log.warn('template log', { message: String(message) }),
      'log.error': (message) => log.error('template log', { message: String(message) }),
      'log.critical': (message) => log.error('template log', { message: String(message) }),
      'saltutil.runner': async (...args) => {
        const { positional: [name, arg, kwarg], kwargs } = templateArgs(args);
        const { arg: kwArg, kwarg: kwKwarg, name: kwName, ...rest } = kwargs;
        const positional = (arg ?? kwArg ?? []) as unknown[];
        const keyword = { ...((kwarg ?? kwKwarg ?? {}) as Record<string, unknown>), ...rest };
        return (await this.deps.runners.call(String(name ?? kwName), Array.isArray(positional) ? positional : [positional], keyword, 'Reactor')).return;
      },
      'saltutil.wheel': async (...args) => {
        const { positional: [name, ...arg], kwargs } = templateArgs(args);
        const fun = String(name ?? kwargs.name);
        const impl = this.deps.wheel[fun];
        if (!impl) throw new Error(`'wheel.${fun}' is not available`);
        return impl(wheelKwargs(fun, arg, kwargs));
      },
    };
    // Salt's reactor templates could reach runners directly on this table in older releases; kept.
    for (const name of this.deps.runners.names()) {
      table[name] ??= async (...args) => {
        const { positional, kwargs } = templateArgs(args);
        return (await this.deps.runners.call(name, positional, kwargs, 'Reactor')).return;
      };
    }
    return table;
  }
}
