/** What the master knows about a minion that did not return (from job.status). */
export interface MinionStatus {
  state: string;
  connected: boolean;
  reason?: string;
}

export const lookupHint = (jid: string) =>
  `The minions may not have all finished running and any remaining minions will return upon completion. To look up the return data for this job later, run the following command:\n\nsaltmq-run jobs.lookup_jid ${jid}`;

/**
 * Salt says "Minion did not return. [No response]" for every silent minion; saltmq knows more and
 * says which case it is: not connected (the job waits for it), still running, refused, or silent.
 */
export function noReturnMessage(jid: string, status: MinionStatus | undefined, stillRunning: boolean, expiresAt: number | undefined): string {
  if (!status) return 'Minion did not return. [No accepted key for this id]';
  switch (status.state) {
    case 'queued': {
      const until = expiresAt ? ` until ${new Date(expiresAt).toISOString()}` : '';
      return `Minion did not return. [Not connected: the job is queued and runs when the minion reconnects${until}]`;
    }
    case 'expired':
      return 'Minion did not return. [Not connected: the job expired before the minion came back]';
    case 'refused':
      return `Minion did not return. [Refused: ${status.reason ?? 'the minion refused the job'}]`;
    default:
      if (stillRunning || status.state === 'running') return `Minion did not return. [Still running]\n${lookupHint(jid)}`;
      if (!status.connected) return `Minion did not return. [Not connected: it disconnected after receiving the job]\n${lookupHint(jid)}`;
      return `Minion did not return. [No response]\n${lookupHint(jid)}`;
  }
}
