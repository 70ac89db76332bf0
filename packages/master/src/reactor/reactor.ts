import { messageOf, tags, type AppendLog, type Chunk, type Logger } from '@saltmq/common';
import type { BusEvent, EventBus, JournalRecord } from '../events/event-bus.js';
import type { Checkpoint } from './checkpoint.js';
import { compileEvent, type CompileDeps, type ReactionProblem } from './compile.js';
import { dispatchReaction, type DispatchDeps } from './dispatch.js';

export interface ReactorOptions {
  events: EventBus;
  journal: AppendLog<JournalRecord>;
  checkpoint: Checkpoint;
  compile: CompileDeps;
  dispatch: Omit<DispatchDeps, 'warn'>;
  /** reactions running at once (Salt's reactor_worker_threads) */
  workers: number;
  /** events held in memory before the reactor reads from the journal instead (reactor_worker_hwm) */
  hwm: number;
  log: Logger;
}

/** What `saltmq-run reactor.status` shows. */
export interface ReactorStatus {
  next_seq: number;
  checkpoint: number;
  queued_events: number;
  queued_reactions: number;
  running_reactions: number;
  catching_up: boolean;
  reactions_done: number;
  errors: number;
}

/**
 * Salt's reactor over the durable journal. Events are taken strictly in journal order; each is
 * matched, rendered and compiled in turn, and its reactions run on a bounded pool so a slow one does
 * not hold up unrelated events. The checkpoint only moves past an event once all its reactions ran;
 * after a restart the reactor resumes there, and reaction keys keep a job from being published twice.
 * When the backlog reaches the high-water mark, new events stay in the journal and are read back
 * from disk as the backlog drains: memory stays bounded and nothing is dropped.
 */
export class Reactor {
  #nextSeq: number;
  readonly #queue: BusEvent[] = [];
  readonly #tasks: { chunk: Chunk; key: string; seq: number; tag: string }[] = [];
  readonly #remaining = new Map<number, number>();
  readonly #doneAhead = new Set<number>();
  #running = 0;
  #catchingUp = true;
  #pumping = false;
  #stopped = false;
  #reactionsDone = 0;
  #errors = 0;
  #idle: (() => void) | undefined;

  constructor(readonly options: ReactorOptions) {
    this.#nextSeq = options.checkpoint.seq + 1;
  }

  /** Starts consuming: first what the journal holds after the checkpoint, then live events. */
  start(): () => void {
    const stop = this.options.events.on((event) => this.#onEvent(event));
    void this.#pump();
    return stop;
  }

  status(): ReactorStatus {
    return {
      next_seq: this.#nextSeq,
      checkpoint: this.options.checkpoint.seq,
      queued_events: this.#queue.length,
      queued_reactions: this.#tasks.length,
      running_reactions: this.#running,
      catching_up: this.#catchingUp,
      reactions_done: this.#reactionsDone,
      errors: this.#errors,
    };
  }

  #onEvent(event: BusEvent): void {
    if (this.#stopped || event.seq === 0) return;
    if (this.#catchingUp || event.seq !== this.#nextSeq + this.#queue.length || this.#queue.length >= this.options.hwm) {
      // not the next one in line, or too much in hand: it is in the journal, read it from there
      this.#catchingUp = true;
    } else {
      this.#queue.push(event);
    }
    void this.#pump();
  }

  async #pump(): Promise<void> {
    if (this.#pumping || this.#stopped) return;
    this.#pumping = true;
    try {
      for (;;) {
        if (this.#queue.length === 0 && this.#catchingUp) {
          const batch = await this.options.journal.readFrom(this.#nextSeq, Math.max(1, Math.floor(this.options.hwm / 2)));
          const records = batch.map((e) => ({ seq: e.seq, tag: e.data.tag, data: e.data.data }));
          if (records.length === 0) this.#catchingUp = false;
          for (const record of records) if (record.seq === this.#nextSeq + this.#queue.length) this.#queue.push(record);
          if (records.length === 0) break;
        }
        const event = this.#queue.shift();
        if (!event) break;
        this.#nextSeq = event.seq + 1;
        await this.#handle(event);
        while (this.#tasks.length > this.options.hwm && !this.#stopped) await new Promise<void>((resolve) => (this.#idle = resolve));
      }
    } finally {
      this.#pumping = false;
    }
  }

  async #handle(event: BusEvent): Promise<void> {
    const { data } = event;
    // Salt's loop guard: events of runner and wheel calls the reactor made itself
    if (data.user === 'Reactor') return this.#finish(event.seq);
    if (this.options.compile.matcher.match(event.tag).length === 0) return this.#finish(event.seq);
    let compiled;
    try {
      compiled = await compileEvent(event.tag, data, this.options.compile);
    } catch (error) {
      await this.#report(event.tag, { sls: '', message: messageOf(error) });
      return this.#finish(event.seq);
    }
    for (const problem of compiled.problems) await this.#report(event.tag, problem);
    if (compiled.chunks.length === 0) return this.#finish(event.seq);
    this.#remaining.set(event.seq, compiled.chunks.length);
    compiled.chunks.forEach((chunk, index) => this.#tasks.push({ chunk, key: `${event.seq}:${index}`, seq: event.seq, tag: event.tag }));
    this.#runTasks();
  }

  #runTasks(): void {
    while (this.#running < this.options.workers && this.#tasks.length > 0) {
      const task = this.#tasks.shift()!;
      this.#running++;
      const warn = (message: string, chunk: Chunk) => this.options.log.warn('reactor warning', { tag: task.tag, sls: chunk.__sls__, reaction: chunk.__id__, message });
      dispatchReaction(task.chunk, task.key, { ...this.options.dispatch, warn })
        .catch((error: unknown) => this.#report(task.tag, { sls: String(task.chunk.__sls__ ?? ''), reaction: String(task.chunk.__id__ ?? ''), message: messageOf(error) }))
        .finally(() => {
          this.#running--;
          this.#reactionsDone++;
          const left = (this.#remaining.get(task.seq) ?? 1) - 1;
          if (left > 0) this.#remaining.set(task.seq, left);
          else {
            this.#remaining.delete(task.seq);
            this.#finish(task.seq);
          }
          if (this.#tasks.length <= this.options.hwm) this.#idle?.();
          this.#runTasks();
        });
    }
    if (this.#running === 0 && this.#tasks.length === 0) this.#idle?.();
  }

  /** An event is fully handled: move the checkpoint over every contiguous finished event. */
  #finish(seq: number): void {
    this.#doneAhead.add(seq);
    let next = this.options.checkpoint.seq + 1;
    while (this.#doneAhead.delete(next)) next++;
    this.options.checkpoint.advance(next - 1);
  }

  async #report(tag: string, problem: ReactionProblem): Promise<void> {
    this.#errors++;
    this.options.log.error('reactor error', { tag, ...problem });
    // user 'Reactor' keeps the reactor from reacting to its own error reports
    await this.options.events.fire(tags.reactorError, { tag, ...problem, user: 'Reactor' }).catch(() => undefined);
  }

  /** Stops taking events, lets running reactions finish, and saves the checkpoint. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#tasks.length = 0;
    while (this.#running > 0) await new Promise<void>((resolve) => (this.#idle = resolve));
    await this.options.checkpoint.flush();
  }
}
