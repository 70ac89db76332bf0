import {
  CodedError,
  encode,
  isJid,
  JidFactory,
  messageOf,
  minionTopic,
  parseReturn,
  resolveTarget,
  signText,
  tags,
  type JobBody,
  type Json,
  type Logger,
} from '@saltmq/common';
import type { Bus } from '../bus/bus.js';
import type { EventBus } from '../events/event-bus.js';
import type { GrainsCache } from '../minions/grains-cache.js';
import type { Presence } from '../minions/presence.js';
import type { KeyStore } from '../pki/key-store.js';
import type { JobEntry, JobLoad, JobStore, StoredReturn } from './job-store.js';
import { RetAcks } from './ret-acks.js';

export interface PublishRequest {
  tgt: string | string[];
  tgt_type?: string;
  fun: string;
  arg?: Json[];
  user?: string;
  jid?: string;
  /** seconds the job waits for offline minions; the master's job_ttl by default */
  job_ttl?: number;
  /** the reactor's (event, reaction) key */
  reaction?: string;
}

export interface PublishResult {
  jid: string;
  minions: string[];
  missing: string[];
}

/** Nothing matched the target: Salt's CLI message and exit code 2. */
export class NoMinionsError extends CodedError {
  constructor(readonly missing: string[]) {
    super('ERR_TARGET', 'No minions matched the target. No command was sent, no jid was assigned.');
  }
}

export interface JobServiceDeps {
  store: JobStore;
  keys: KeyStore;
  grains: GrainsCache;
  presence: Presence;
  bus: Bus;
  events: EventBus;
  privatePem: string;
  jobTtlSeconds: number;
  log: Logger;
}

/**
 * Jobs from publish to return: resolve the target on the master, store the load, fire Salt's
 * bare-jid and salt/job/<jid>/new events, sign the job once, and send it to each connected minion on
 * its private channel. Jobs for offline minions stay queued (durably) until they come back or expire.
 */
export class JobService {
  readonly jids = new JidFactory();
  readonly #acks: RetAcks;

  constructor(readonly deps: JobServiceDeps) {
    for (const entry of deps.store.jobs()) this.jids.advancePast(entry.load.jid);
    this.#acks = new RetAcks(deps.bus);
  }

  prepJid(): string {
    return this.jids.next();
  }

  async publish(request: PublishRequest): Promise<PublishResult> {
    const { deps } = this;
    const tgtType = request.tgt_type ?? 'glob';
    const accepted = (await deps.keys.list()).minions;
    const candidates = accepted.map((id) => {
      const grains = deps.grains.get(id);
      return grains ? { id, grains } : { id };
    });
    const { minions, missing } = resolveTarget(request.tgt, tgtType, candidates);
    if (minions.length === 0) throw new NoMinionsError(missing);
    const jid = request.jid ?? this.jids.next();
    if (!isJid(jid) || deps.store.job(jid)) throw new CodedError('ERR_INVOCATION', `jid ${jid} is not a new Salt jid`);
    const now = Date.now();
    const ttl = request.job_ttl ?? deps.jobTtlSeconds;
    const load: JobLoad = {
      jid,
      tgt_type: tgtType,
      tgt: request.tgt,
      user: request.user ?? 'root',
      fun: request.fun,
      arg: request.arg ?? [],
      minions,
      missing,
      expires: now + ttl * 1000,
      created: now,
      ...(request.reaction ? { reaction: request.reaction } : {}),
    };
    await deps.store.addJob(load);
    await deps.events.fire(jid, { minions });
    await deps.events.fire(tags.jobNew(jid), { jid, tgt_type: tgtType, tgt: request.tgt, user: load.user, fun: load.fun, arg: load.arg, minions, missing });
    const envelope = this.#envelope(load);
    await Promise.all(minions.filter((id) => deps.presence.isReady(id)).map((id) => this.#send(load.jid, id, envelope)));
    deps.log.info('job published', { jid, fun: load.fun, minions: minions.length, missing: missing.length });
    return { jid, minions, missing };
  }

  /**
   * One signature per job, whoever receives it and whenever: a thousand minions coming back to the
   * same queued job must not cost a thousand RSA signatures. Kept while the job can still be sent.
   */
  readonly #envelopes = new Map<string, Buffer>();

  #envelope(load: JobLoad): Buffer {
    const cached = this.#envelopes.get(load.jid);
    if (cached) return cached;
    if (this.#envelopes.size >= 10_000) {
      const now = Date.now();
      for (const jid of this.#envelopes.keys()) if ((this.deps.store.job(jid)?.load.expires ?? 0) <= now) this.#envelopes.delete(jid);
      if (this.#envelopes.size >= 10_000) this.#envelopes.clear();
    }
    const envelope = this.#sign(load);
    this.#envelopes.set(load.jid, envelope);
    return envelope;
  }

  #sign(load: JobLoad): Buffer {
    const body: JobBody = {
      jid: load.jid,
      fun: load.fun,
      arg: load.arg,
      tgt: load.tgt,
      tgt_type: load.tgt_type,
      user: load.user,
      ret: '',
      expires: load.expires,
      issued: Date.now(),
    };
    const text = JSON.stringify(body);
    return encode({ v: 1, body: text, sig: signText(this.deps.privatePem, text) });
  }

  async #send(jid: string, id: string, envelope: Buffer): Promise<void> {
    await this.deps.bus.publish(minionTopic(id, 'job'), envelope, 1);
    this.deps.store.setState(jid, id, 'delivered');
  }

  /** A minion subscribed to its jobs: send what is waiting for it (and not expired). */
  async deliverOpen(id: string): Promise<void> {
    const now = Date.now();
    for (const entry of this.deps.store.openFor(id)) {
      if (entry.load.expires <= now && entry.states.get(id) === 'queued') {
        this.deps.store.setState(entry.load.jid, id, 'expired');
        continue;
      }
      await this.#send(entry.load.jid, id, this.#envelope(entry.load));
    }
  }

  /**
   * A function a minion ran on its own (saltmq-call with a master), as Salt's master takes a return
   * with jid 'req': a new jid, the load and the return in the job cache, and salt/job/<jid>/ret/<id>.
   */
  async recordStandalone(id: string, ret: Omit<StoredReturn, 'received'>): Promise<string> {
    const jid = this.prepJid();
    const now = Date.now();
    const load: JobLoad = { jid, tgt_type: 'glob', tgt: id, user: 'salt-call', fun: ret.fun, arg: ret.fun_args, minions: [id], missing: [], expires: now, created: now };
    await this.deps.store.addStandalone(load, id, { ...ret, received: now });
    const data: Record<string, unknown> = { cmd: '_return', id, success: ret.success, return: ret.return, retcode: ret.retcode, jid, fun: ret.fun, fun_args: ret.fun_args };
    if (ret.out) data.out = ret.out;
    await this.deps.events.fire(tags.jobReturn(jid, id), data);
    return jid;
  }

  /** A message on a minion's ret channel: a return to store and announce, or a progress note. */
  async onReturn(id: string, payload: Buffer): Promise<void> {
    const { deps } = this;
    let message;
    try {
      message = parseReturn(payload);
    } catch (error) {
      deps.log.warn('malformed return dropped', { id, reason: messageOf(error) });
      return;
    }
    if (message.kind === 'progress') {
      deps.store.setState(message.jid, id, message.state, message.reason);
      return;
    }
    const stored = { return: message.return, retcode: message.retcode, success: message.success, fun: message.fun, fun_args: message.fun_args, received: Date.now() };
    if (message.out) Object.assign(stored, { out: message.out });
    const isNew = await deps.store.addReturn(message.jid, id, stored);
    this.#acks.ack(id, message.jid);
    if (!isNew) {
      if (!deps.store.job(message.jid)?.returns.has(id)) deps.log.warn('return for an unknown job or minion dropped', { id, jid: message.jid });
      return;
    }
    const data: Record<string, unknown> = {
      cmd: '_return',
      id,
      success: message.success,
      return: message.return,
      retcode: message.retcode,
      jid: message.jid,
      fun: message.fun,
      fun_args: message.fun_args,
    };
    if (message.out) data.out = message.out;
    await deps.events.fire(tags.jobReturn(message.jid, id), data);
  }

  /**
   * Publishes a job and waits (at most `timeoutMs`) for the returns of the minions that are
   * connected: what master-side callers such as jobs.active need.
   */
  async runAndWait(request: PublishRequest, timeoutMs: number): Promise<Map<string, { return: unknown; retcode: number }>> {
    return (await this.runAndCollect(request, timeoutMs)).returns;
  }

  /**
   * Publishes a job and waits until every connected target returned or the timeout passed. `targeted`
   * is every minion the job was for, connected or not, so a caller can name those that did not respond.
   */
  async runAndCollect(request: PublishRequest, timeoutMs: number): Promise<{ returns: Map<string, { return: unknown; retcode: number }>; targeted: string[] }> {
    const jid = this.prepJid();
    const prefix = tags.jobReturn(jid, '');
    const returns = new Map<string, { return: unknown; retcode: number }>();
    let expected: string[] = [];
    let done: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const stop = this.deps.events.on((event) => {
      if (!event.tag.startsWith(prefix)) return;
      returns.set(event.tag.slice(prefix.length), { return: event.data.return, retcode: Number(event.data.retcode ?? 0) });
      if (expected.length && expected.every((id) => returns.has(id))) done();
    });
    try {
      const result = await this.publish({ ...request, jid, job_ttl: Math.ceil(timeoutMs / 1000) });
      expected = result.minions.filter((id) => this.deps.presence.isConnected(id));
      if (expected.every((id) => returns.has(id))) return { returns, targeted: result.minions };
      const timer = setTimeout(done, timeoutMs);
      await finished;
      clearTimeout(timer);
      return { returns, targeted: result.minions };
    } finally {
      stop();
    }
  }

  /** Per-minion state of a job, for the CLI's truthful "did not return" lines. */
  status(jid: string): { load: JobLoad; minions: Record<string, { state: string; connected: boolean; reason?: string }> } | undefined {
    const entry: JobEntry | undefined = this.deps.store.job(jid);
    if (!entry) return undefined;
    const minions: Record<string, { state: string; connected: boolean; reason?: string }> = {};
    for (const [id, state] of entry.states) {
      const reason = entry.reasons.get(id);
      minions[id] = { state, connected: this.deps.presence.isConnected(id), ...(reason ? { reason } : {}) };
    }
    return { load: entry.load, minions };
  }
}
