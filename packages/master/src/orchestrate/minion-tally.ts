import { formatHighstate } from '@saltmq/common';

/** What each targeted minion made of a salt.state or salt.function step, sorted the way Salt reports it. */
export interface MinionTally {
  /** minions that succeeded with changes, and what they returned */
  changes: Record<string, unknown>;
  /** minions that succeeded without changes */
  noChange: string[];
  /** failed minions that count against the step (not in fail_minions) */
  blamed: string[];
  /** every failed minion's return, or 'Minion did not respond' */
  failures: Record<string, unknown>;
}

export interface MinionOutcome {
  return: unknown;
  retcode: number;
}

/** Salt's `fail_minions`: a list, or ids separated by commas. */
export function failMinions(raw: unknown): Set<string> {
  const ids = typeof raw === 'string' ? raw.split(',') : Array.isArray(raw) ? raw.map(String) : [];
  return new Set(ids.map((id) => id.trim()).filter(Boolean));
}

/** A state run's return holds a state with changes. */
export function stateRunChanged(ret: unknown): boolean {
  if (ret === null || typeof ret !== 'object' || Array.isArray(ret)) return false;
  return Object.values(ret).some((item) => {
    const changes = (item as { changes?: unknown } | null)?.changes;
    return changes !== null && typeof changes === 'object' && Object.keys(changes).length > 0;
  });
}

/**
 * Sorts the targeted minions as salt/states/saltmod.py does: a minion that did not respond or whose
 * return failed is a failure (counted against the step unless listed in fail_minions); the others
 * changed something or not. `changed` says whether a good return counts as a change.
 */
export function tallyMinions(targeted: readonly string[], returns: ReadonlyMap<string, MinionOutcome>, tolerated: ReadonlySet<string>, changed: (ret: unknown) => boolean): MinionTally {
  const tally: MinionTally = { changes: {}, noChange: [], blamed: [], failures: {} };
  for (const id of [...new Set([...targeted, ...returns.keys()])].sort()) {
    const outcome = returns.get(id);
    if (outcome === undefined || outcome.retcode !== 0) {
      if (!tolerated.has(id)) tally.blamed.push(id);
      tally.failures[id] =
        outcome === undefined ? 'Minion did not respond' : outcome.return === '' || outcome.return === null ? `returned nothing, retcode ${outcome.retcode}` : outcome.return;
      continue;
    }
    if (changed(outcome.return)) tally.changes[id] = outcome.return;
    else tally.noChange.push(id);
  }
  return tally;
}

/** Salt's "Failures:" block: each failed minion's return in the highstate outputter, indented four. */
export function failuresBlock(failures: Record<string, unknown>): string {
  const ids = Object.keys(failures);
  if (ids.length === 0) return '';
  let text = '\nFailures:\n';
  for (const id of ids) {
    const lines = formatHighstate({ [id]: failures[id] }, { color: false }).replace(/\n+$/, '').split('\n');
    text += lines.map((line) => `    ${line}`).join('\n') + '\n';
  }
  return text;
}
