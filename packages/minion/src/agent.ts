import { asctime, messageOf, pemFingerprint, type JobBody, type KeyPairPem, type Logger } from '@saltmq/common';
import type { MinionConfig } from './config.js';
import { MasterFingerError, MasterKeyChangedError, cachedPin, probeMaster, type MasterPin } from './master-pin.js';
import { ConnectRefused, PinFailed, openLink } from './link.js';
import { MasterSession } from './session.js';
import type { CallContext, ExecutionFunction, Grains, Registry } from './loader.js';
import { makeContext, type ContextBase } from './context.js';
import type { ModuleHost } from './modules/index.js';
import { JobRunner } from './jobs/job-runner.js';
import type { ReturnOutbox } from './jobs/outbox.js';
import type { SeenJids } from './jobs/seen-jids.js';
import { backoffDelay } from './backoff.js';
import { coreGrains } from './grains/core.js';

/** Exit codes Salt's minion uses. */
export const EXIT_REJECTED = 77;
export const EXIT_MASTER_FINGER = 42;

export interface AgentDeps {
  config: Readonly<MinionConfig>;
  log: Logger;
  keys: KeyPairPem;
  grains: Grains;
  seen: SeenJids;
  outbox: ReturnOutbox;
  /** builds the registry once the agent exists (modules such as saltutil need the agent) */
  makeRegistry(agent: MinionAgent): Registry<ExecutionFunction>;
}

/**
 * The minion's life: pin the master's key, prove our own, wait for acceptance, then take jobs and
 * send returns. Whenever the master goes away it reconnects by itself, with exponential backoff and
 * jitter, forever; only a rejected key (77) or a wrong master fingerprint (42) makes it stop.
 */
export class MinionAgent {
  readonly runner: JobRunner;
  readonly registry: Registry<ExecutionFunction>;
  #session: MasterSession | undefined;
  #stopping = false;
  #wake: (() => void) | undefined;
  #pin: MasterPin | undefined;

  constructor(readonly deps: AgentDeps) {
    const { config, log } = deps;
    this.runner = new JobRunner({
      id: config.id,
      grains: () => this.deps.grains,
      registry: () => this.registry,
      masterPub: () => this.#pin?.publicPem ?? '',
      seen: deps.seen,
      outbox: deps.outbox,
      log: log.child({ component: 'jobs' }),
      send: (message) => this.#session?.sendReturn(message) ?? Promise.reject(new Error('not connected to the master')),
      fireEvent: (tag, data) => this.fireEvent(tag, data),
      context: (job, signal) => this.context(job, signal, true),
    });
    this.registry = deps.makeRegistry(this);
  }

  get id(): string {
    return this.deps.config.id;
  }

  /** The context of a call: a job's top-level call, or a nested one through ctx.call. */
  context(job: JobBody | undefined, signal: AbortSignal, fromJob: boolean): CallContext {
    const base: ContextBase = {
      id: this.id,
      grains: this.deps.grains,
      opts: this.deps.config as unknown as Record<string, unknown>,
      log: this.deps.log,
      registry: () => this.registry,
      fireEvent: (tag, data) => this.fireEvent(tag, data),
      request: (method, params) => this.request(method, params),
    };
    return makeContext(base, job?.jid, signal, fromJob);
  }

  /** What the execution modules need from the agent. */
  moduleHost(): ModuleHost {
    return {
      config: this.deps.config,
      log: this.deps.log,
      registry: () => this.registry,
      jobs: this.runner,
      request: (method, params) => this.request(method, params),
      refreshGrains: () => this.refreshGrains(),
    };
  }

  /** saltutil.refresh_grains: recompute the grains in place and send them to the master's cache. */
  async refreshGrains(): Promise<void> {
    const fresh = await coreGrains(this.id, this.deps.config.grains);
    for (const key of Object.keys(this.deps.grains)) delete this.deps.grains[key];
    Object.assign(this.deps.grains, fresh);
    await this.request('grains.update', { grains: this.deps.grains });
  }

  fireEvent(tag: string, data: unknown): Promise<void> {
    if (!this.#session) return Promise.reject(new Error('not connected to the master'));
    return this.#session.publish('event', { v: 1, tag, data: data ?? null });
  }

  request(method: string, params: Record<string, unknown>): Promise<unknown> {
    if (!this.#session) return Promise.reject(new Error('not connected to the master'));
    return this.#session.request(method, params);
  }

  /** Runs until stop() or a fatal verdict; resolves with the process exit code. */
  async run(): Promise<number> {
    const { config, log } = this.deps;
    let attempt = 0;
    let forceProbe = false;
    let pendingWait = config.acceptance_wait_time * 1000;
    while (!this.#stopping) {
      try {
        this.#pin = (!forceProbe && (await cachedPin(config.pki_dir, config.master_finger))) || (await probeMaster(config.master, config.master_port, config.pki_dir, config.master_finger, log));
        forceProbe = false;
        const client = await openLink({ host: config.master, port: config.master_port, id: config.id, keys: this.deps.keys, pin: this.#pin, keepalive: config.keepalive });
        const session = new MasterSession(client, config.id, log);
        this.#session = session;
        const end = await session.run(
          {
            onAccepted: (s) => this.#onAccepted(s),
            onJob: (payload) => void this.runner.receive(payload).catch((error: Error) => log.error('job failed to run', { error: error.message })),
            onRetAck: (jids) => void Promise.all(jids.map((jid) => this.deps.outbox.remove(jid))),
          },
          pendingWait,
        );
        this.#session = undefined;
        if (this.#stopping) break;
        if (end.kind === 'refused') {
          const code = this.#refused(end.notice.reason ?? end.notice.status);
          if (code !== undefined) return code;
        } else if (end.kind === 'pending-timeout') {
          if (config.acceptance_wait_time_max > 0) pendingWait = Math.min(pendingWait * 2, config.acceptance_wait_time_max * 1000);
          continue; // ask again at once, as Salt's minion re-auths after acceptance_wait_time
        } else {
          if (end.wasAccepted) attempt = 0;
          log.warn('connection to the master lost; reconnecting', { master: config.master });
        }
      } catch (error) {
        this.#session = undefined;
        if (error instanceof MasterFingerError) {
          log.error(error.message);
          return EXIT_MASTER_FINGER;
        }
        if (error instanceof ConnectRefused && error.returnCode === 5) {
          const code = this.#refused(error.message);
          if (code !== undefined) return code;
        } else if (error instanceof ConnectRefused && error.returnCode === 2) {
          log.error('the master refused this minion id', { id: config.id, reason: error.message });
          return 2;
        } else if (error instanceof PinFailed) {
          forceProbe = true;
          log.warn('the master certificate changed; checking its key again', { reason: error.message });
        } else if (error instanceof MasterKeyChangedError) {
          log.error(error.message);
        } else {
          log.warn('cannot reach the master', { master: `${config.master}:${config.master_port}`, reason: messageOf(error) });
        }
      }
      await this.#sleep(backoffDelay(attempt++, config.recon_default, config.recon_max, config.recon_randomize));
    }
    return 0;
  }

  /** Salt's minion exits 77 on a rejected key unless rejected_retry is set. */
  #refused(reason: string): number | undefined {
    const { log, config } = this.deps;
    log.error("The Salt Master has rejected this minion's public key!", { id: config.id, reason });
    return config.rejected_retry ? undefined : EXIT_REJECTED;
  }

  async #onAccepted(session: MasterSession): Promise<void> {
    const { config, log, grains } = this.deps;
    const message = `Minion ${config.id} started at ${asctime()}`;
    const startData = config.start_event_grains.length
      ? { data: message, grains: Object.fromEntries(config.start_event_grains.filter((g) => g in grains).map((g) => [g, grains[g]])) }
      : message;
    if (config.enable_legacy_startup_events) await session.publish('event', { v: 1, tag: 'minion_start', data: startData });
    await session.publish('event', { v: 1, tag: `salt/minion/${config.id}/start`, data: startData, grains });
    for (const ret of await this.deps.outbox.all()) await session.sendReturn(ret).catch(() => undefined);
    log.info('minion ready', { id: config.id, master: `${config.master}:${config.master_port}`, master_fingerprint: this.#pin ? pemFingerprint(this.#pin.publicPem) : undefined });
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.runner.abortAll();
    this.#wake?.();
    const client = this.#session?.client;
    if (client) await client.endAsync();
    await this.deps.seen.close();
  }
}
