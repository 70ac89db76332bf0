import { tags } from '@saltmq/common';
import type { AdminClient } from './admin-client.js';

/** A minion's return as the CLI prints it. */
export interface MinionReturn {
  id: string;
  return: unknown;
  retcode: number;
  success: boolean;
  out?: string;
}

/**
 * Collects the returns of one job from the bus. It subscribes before the job is published (the
 * jid is prepared first, as Salt's LocalClient does) so no early return is missed.
 */
export class ReturnWatcher {
  readonly returns = new Map<string, MinionReturn>();
  #wake: (() => void) | undefined;

  private constructor(
    readonly jid: string,
    readonly onReturn: (ret: MinionReturn) => void,
  ) {}

  static async start(admin: AdminClient, jid: string, onReturn: (ret: MinionReturn) => void = () => undefined): Promise<ReturnWatcher> {
    const watcher = new ReturnWatcher(jid, onReturn);
    const prefix = tags.jobReturn(jid, '');
    await admin.subscribe(`${prefix}+`, (topic, payload) => {
      if (!topic.startsWith(prefix)) return;
      const id = topic.slice(prefix.length);
      if (watcher.returns.has(id)) return;
      let data: Record<string, unknown>;
      try {
        data = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
      } catch {
        return;
      }
      const ret: MinionReturn = { id, return: data.return, retcode: Number(data.retcode ?? 0), success: data.success !== false };
      if (typeof data.out === 'string') ret.out = data.out;
      watcher.returns.set(id, ret);
      watcher.onReturn(ret);
      watcher.#wake?.();
    });
    return watcher;
  }

  /** Waits until every id in `ids` has returned or the deadline passes; resolves with those still missing. */
  async waitFor(ids: Iterable<string>, deadline: number): Promise<string[]> {
    const wanted = [...ids];
    for (;;) {
      const missing = wanted.filter((id) => !this.returns.has(id));
      const left = deadline - Date.now();
      if (missing.length === 0 || left <= 0) return missing;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
}
