import { messageOf, parseEvent, tagProblem, tags, type Json, type Logger } from '@saltmq/common';
import type { EventBus } from '../events/event-bus.js';

/** Why this minion may not fire this tag, or undefined: it speaks only for itself under `salt/`. */
export function minionTagProblem(id: string, tag: string): string | undefined {
  const problem = tagProblem(tag);
  if (problem) return problem;
  if (/^\d{20}(_|$)/.test(tag)) return 'bare jid tags belong to the master';
  if (tag.startsWith('salt/')) {
    const own = [`salt/minion/${id}/`, `salt/beacon/${id}/`];
    if (!own.some((prefix) => tag.startsWith(prefix)) && !/^salt\/job\/\d{20}\/prog\//.test(tag)) {
      return `a minion may fire under salt/ only as salt/minion/${id}/...`;
    }
  }
  return undefined;
}

export interface MinionEventDeps {
  events: EventBus;
  log: Logger;
  /** grains arrive with the start event; the master caches them for targeting */
  onGrains(id: string, grains: Record<string, Json>): void;
  /** called after a minion's start event, when its jobs may flow */
  onStart(id: string): void;
}

/**
 * Events a minion sends: checked, then fired on the bus wrapped as Salt's master does with
 * `_minion_event` loads — `id` is the id the connection proved, whatever the payload says.
 */
export function makeMinionEventHandler(deps: MinionEventDeps): (id: string, payload: Buffer) => Promise<void> {
  return async (id, payload) => {
    let message;
    try {
      message = parseEvent(payload);
    } catch (error) {
      deps.log.warn('malformed minion event dropped', { id, reason: messageOf(error) });
      return;
    }
    const problem = minionTagProblem(id, message.tag);
    if (problem) {
      deps.log.warn('minion event refused', { id, tag: message.tag.slice(0, 200), reason: problem });
      return;
    }
    if (message.grains && message.tag === tags.minionStart(id)) deps.onGrains(id, message.grains);
    const load = { id, cmd: '_minion_event', pretag: message.pretag ?? null, data: message.data, tag: message.tag };
    await deps.events.fire(message.tag, load);
    if (message.pretag && !minionTagProblem(id, `${message.pretag}/${message.tag}`)) {
      await deps.events.fire(`${message.pretag}/${message.tag}`, load);
    }
    if (message.tag === tags.minionStart(id)) deps.onStart(id);
  };
}
