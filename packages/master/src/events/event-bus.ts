import { saltStamp, type Logger } from '@saltmq/common';
import type { Bus } from '../bus/bus.js';
import type { AppendLog } from '@saltmq/common';
import { trimEvent } from './trim.js';

export type EventData = Record<string, unknown>;
/** A journalled event: `seq` is its place in the journal (0 when no journal is kept). */
export interface BusEvent {
  seq: number;
  tag: string;
  data: EventData;
}
export type EventListener = (event: BusEvent) => void;
export interface JournalRecord {
  tag: string;
  data: EventData;
}

/**
 * The master's event bus: every event gets Salt's `_stamp`, is written to the journal, and only then
 * is handed to in-process listeners (the reactor, job waiters) and published to the broker (for
 * admins and state.event).
 */
export class EventBus {
  readonly #listeners = new Set<EventListener>();

  constructor(
    readonly bus: Bus,
    readonly log: Logger,
    readonly options: { maxEventSize: number; journal?: AppendLog<JournalRecord> | undefined },
  ) {}

  on(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Fires an event: the data gains `_stamp` after its own keys (as Salt's fire_event mutates the
   * dict). Resolves once it is journalled and published.
   */
  async fire(tag: string, data: EventData): Promise<BusEvent> {
    let stamped: EventData = { ...data, _stamp: saltStamp() };
    // serialised once: the size check, the journal and the broker all use these bytes
    let json = JSON.stringify(stamped);
    if (json.length > this.options.maxEventSize / 4 && Buffer.byteLength(json) > this.options.maxEventSize) {
      stamped = trimEvent(stamped, this.options.maxEventSize);
      json = JSON.stringify(stamped);
    }
    const journal = this.options.journal;
    let seq = 0;
    if (journal) {
      const appended = journal.appendJson(`{"tag":${JSON.stringify(tag)},"data":${json}}`);
      seq = appended.seq;
      await appended.durable;
    }
    const event: BusEvent = { seq, tag, data: stamped };
    // in-process listeners first: durable appends resolve in sequence order, so the reactor sees
    // events in journal order; the broker's delivery order is its own business
    this.deliver(event);
    await this.bus.publish(tag, Buffer.from(json)).catch((error: Error) =>
      this.log.error('event not published', { tag, error: error.message }),
    );
    return event;
  }

  /** Hands an event to the in-process listeners; a listener that throws does not stop the others. */
  deliver(event: BusEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        this.log.error('event listener failed', { tag: event.tag, error });
      }
    }
  }
}
