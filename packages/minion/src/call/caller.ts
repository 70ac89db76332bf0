import { CodedError, JidFactory, type Logger } from '@saltmq/common';
import type { MinionConfig } from '../config.js';
import { makeContext, type ContextBase } from '../context.js';
import { coreGrains } from '../grains/core.js';
import { execute, type Outcome } from '../jobs/execute.js';
import { Registry, type ExecutionFunction, type Grains } from '../loader.js';
import { makeModules } from '../modules/index.js';

/** Where a call's requests and events go: the master through a call session, or the local tree. */
export interface CallChannel {
  request(method: string, params: Record<string, unknown>): Promise<unknown>;
  fireEvent(tag: string, data: unknown): Promise<void>;
}

/** Masterless: events have no bus to go to, as Salt's event.send finds no master in local mode. */
export const NO_EVENTS = (): Promise<void> =>
  Promise.reject(new CodedError('ERR_NOT_CONNECTED', 'events go to the master, and a masterless call (--local) has none'));

/**
 * The minion's loader, modules and state system in the saltmq-call process (Salt's Caller): the same
 * registry the agent builds, with this process's grains and a channel that is attached once the
 * function is known to exist, so a typo never needs a master.
 */
export class Caller {
  readonly registry: Registry<ExecutionFunction>;
  #channel: CallChannel | undefined;

  private constructor(
    readonly config: Readonly<MinionConfig>,
    readonly grains: Grains,
    readonly log: Logger,
  ) {
    this.registry = new Registry(
      makeModules({
        config,
        log,
        registry: () => this.registry,
        // saltmq-call runs one function; the agent's jobs are the agent's
        jobs: { running: new Map(), kill: () => false },
        request: (method, params) => this.#use().request(method, params),
        refreshGrains: () => this.#refreshGrains(),
      }),
      grains,
    );
  }

  static async create(config: Readonly<MinionConfig>, log: Logger): Promise<Caller> {
    return new Caller(config, await coreGrains(config.id, config.grains), log);
  }

  attach(channel: CallChannel): void {
    this.#channel = channel;
  }

  /** Runs one function as the agent runs a job's (Salt's salt-call passes a jid too). */
  run(fun: string, arg: unknown[], signal: AbortSignal): Promise<Outcome> {
    const base: ContextBase = {
      id: this.config.id,
      grains: this.grains,
      opts: this.config as unknown as Record<string, unknown>,
      log: this.log,
      registry: () => this.registry,
      fireEvent: (tag, data) => this.#use().fireEvent(tag, data),
      request: (method, params) => this.#use().request(method, params),
    };
    return execute(this.registry, fun, arg, makeContext(base, new JidFactory().next(), signal, true));
  }

  #use(): CallChannel {
    if (!this.#channel) throw new Error('saltmq-call has no channel yet');
    return this.#channel;
  }

  async #refreshGrains(): Promise<void> {
    const fresh = await coreGrains(this.config.id, this.config.grains);
    for (const key of Object.keys(this.grains)) delete this.grains[key];
    Object.assign(this.grains, fresh);
    await this.#use().request('grains.update', { grains: this.grains });
  }
}
