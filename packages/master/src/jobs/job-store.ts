import { AppendLog, type Json, type Logger } from '@saltmq/common';

/** Where one minion's part of a job stands. `queued`: waiting for the minion to connect. */
export type DeliveryState = 'queued' | 'delivered' | 'running' | 'returned' | 'expired' | 'refused';

/** The publish load as Salt's job cache keeps it, plus saltmq's expiry. */
export interface JobLoad {
  jid: string;
  tgt_type: string;
  tgt: string | string[];
  user: string;
  fun: string;
  arg: Json[];
  minions: string[];
  missing: string[];
  /** ms since the epoch after which an undelivered job is dropped */
  expires: number;
  /** ms since the epoch */
  created: number;
  /** the (event, reaction) that published it, so a reactor replay never publishes it twice */
  reaction?: string;
}

export interface StoredReturn {
  return: Json;
  retcode: number;
  success: boolean;
  fun: string;
  fun_args: Json[];
  out?: string;
  /** ms since the epoch */
  received: number;
}

export interface JobEntry {
  load: JobLoad;
  states: Map<string, DeliveryState>;
  returns: Map<string, StoredReturn>;
  /** why a minion refused the job, when it did */
  reasons: Map<string, string>;
}

type JobRecord =
  | { t: 'load'; load: JobLoad }
  | { t: 'state'; jid: string; id: string; state: DeliveryState; reason?: string }
  | { t: 'ret'; jid: string; id: string; ret: StoredReturn };

const OPEN_STATES: ReadonlySet<DeliveryState> = new Set(['queued', 'delivered', 'running']);

/**
 * The job cache: every load, every delivery state and every return, in a group-committed append log
 * under cachedir/jobs, with an in-memory index rebuilt at start. A return is acknowledged to the
 * minion only after it is durable, and a (jid, minion) return is stored once.
 */
export class JobStore {
  readonly #jobs = new Map<string, JobEntry>();
  /** minion id → jids it still has to run */
  readonly #open = new Map<string, Set<string>>();
  /** reaction key → jid */
  readonly #reactions = new Map<string, string>();

  private constructor(
    readonly log: AppendLog<JobRecord>,
    readonly keepMs: number,
  ) {}

  static async open(dir: string, keepSeconds: number, logger: Logger): Promise<JobStore> {
    const records: JobRecord[] = [];
    const log = await AppendLog.open<JobRecord>(dir, { log: logger }, (entry) => records.push(entry.data));
    const store = new JobStore(log, keepSeconds * 1000);
    for (const record of records) store.#apply(record);
    store.pruneMemory(Date.now());
    return store;
  }

  #apply(record: JobRecord): void {
    if (record.t === 'load') {
      const entry: JobEntry = { load: record.load, states: new Map(), returns: new Map(), reasons: new Map() };
      for (const id of record.load.minions) {
        entry.states.set(id, 'queued');
        this.#markOpen(id, record.load.jid, true);
      }
      this.#jobs.set(record.load.jid, entry);
      if (record.load.reaction) this.#reactions.set(record.load.reaction, record.load.jid);
      return;
    }
    const entry = this.#jobs.get(record.jid);
    if (!entry) return;
    if (record.t === 'ret') {
      entry.returns.set(record.id, record.ret);
      entry.states.set(record.id, 'returned');
      this.#markOpen(record.id, record.jid, false);
      return;
    }
    if (entry.states.get(record.id) === 'returned') return;
    entry.states.set(record.id, record.state);
    if (record.reason) entry.reasons.set(record.id, record.reason);
    this.#markOpen(record.id, record.jid, OPEN_STATES.has(record.state));
  }

  #markOpen(id: string, jid: string, open: boolean): void {
    let set = this.#open.get(id);
    if (open) {
      if (!set) this.#open.set(id, (set = new Set()));
      set.add(jid);
    } else if (set) {
      set.delete(jid);
      if (set.size === 0) this.#open.delete(id);
    }
  }

  /** Stores a new job; resolves once it is durable. */
  async addJob(load: JobLoad): Promise<void> {
    const record: JobRecord = { t: 'load', load };
    this.#apply(record);
    await this.log.append(record).durable;
  }

  /**
   * Stores a job that ran without being published (saltmq-call's return with jid 'req'): its load and
   * its one return together, so it is never open for delivery. Should only the load survive a crash,
   * its expiry (= its creation) keeps it from being sent.
   */
  async addStandalone(load: JobLoad, id: string, ret: StoredReturn): Promise<void> {
    const records: JobRecord[] = [{ t: 'load', load }, { t: 'ret', jid: load.jid, id, ret }];
    for (const record of records) this.#apply(record);
    await Promise.all(records.map((record) => this.log.append(record).durable));
  }

  /** Records a delivery state; durable soon after (the next group commit), without waiting. */
  setState(jid: string, id: string, state: DeliveryState, reason?: string): void {
    const entry = this.#jobs.get(jid);
    if (!entry || !entry.states.has(id) || entry.states.get(id) === 'returned' || entry.states.get(id) === state) return;
    const record: JobRecord = reason ? { t: 'state', jid, id, state, reason } : { t: 'state', jid, id, state };
    this.#apply(record);
    this.log.append(record).durable.catch(() => undefined);
  }

  /**
   * Stores a return once. Resolves true when it was new, false for a duplicate or an unknown job or
   * minion (nothing stored), after the record is durable.
   */
  async addReturn(jid: string, id: string, ret: StoredReturn): Promise<boolean> {
    const entry = this.#jobs.get(jid);
    if (!entry || !entry.states.has(id) || entry.returns.has(id)) return false;
    const record: JobRecord = { t: 'ret', jid, id, ret };
    this.#apply(record);
    await this.log.append(record).durable;
    return true;
  }

  jidForReaction(key: string): string | undefined {
    return this.#reactions.get(key);
  }

  job(jid: string): JobEntry | undefined {
    return this.#jobs.get(jid);
  }

  jobs(): IterableIterator<JobEntry> {
    return this.#jobs.values();
  }

  /** The jobs a minion still has to run, oldest first. */
  openFor(id: string): JobEntry[] {
    return [...(this.#open.get(id) ?? [])].sort().flatMap((jid) => this.#jobs.get(jid) ?? []);
  }

  /** Marks queued deliveries whose job expired; returns what it expired. */
  expireDue(now: number): { jid: string; id: string }[] {
    const expired: { jid: string; id: string }[] = [];
    for (const [id, jids] of [...this.#open]) {
      for (const jid of [...jids]) {
        const entry = this.#jobs.get(jid);
        if (entry && entry.load.expires <= now && entry.states.get(id) === 'queued') {
          this.setState(jid, id, 'expired');
          expired.push({ jid, id });
        }
      }
    }
    return expired;
  }

  /** Forgets jobs older than keep_jobs_seconds and drops log segments nothing refers to any more. */
  async prune(now: number): Promise<void> {
    this.pruneMemory(now);
    if (this.keepMs > 0) await this.log.prune(now - this.keepMs);
  }

  pruneMemory(now: number): void {
    if (this.keepMs <= 0) return;
    for (const [jid, entry] of this.#jobs) {
      if (now - entry.load.created <= this.keepMs) continue;
      for (const id of entry.load.minions) this.#markOpen(id, jid, false);
      if (entry.load.reaction) this.#reactions.delete(entry.load.reaction);
      this.#jobs.delete(jid);
    }
  }

  close(): Promise<void> {
    return this.log.close();
  }
}
