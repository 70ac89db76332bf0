import { matchTarget, messageOf, parseJobBody, parseJobEnvelope, verifyText, type JobBody } from '@saltmq/common';
import type { Grains } from '../loader.js';
import type { SeenJids } from './seen-jids.js';

export type GuardVerdict = { ok: true; job: JobBody } | { ok: false; reason: string; jid?: string };

/**
 * The checks a job passes before it runs: signed by the master key this minion pinned, not expired,
 * never started before (replay), and targeted at this minion (Salt's minions make the final target
 * match themselves). Anything else is refused with a reason.
 */
export function checkJob(payload: Buffer, deps: { masterPub: string; seen: SeenJids; id: string; grains: Grains; now?: number }): GuardVerdict {
  let envelope;
  try {
    envelope = parseJobEnvelope(payload);
  } catch (error) {
    return { ok: false, reason: `unreadable job: ${messageOf(error)}` };
  }
  if (!verifyText(deps.masterPub, envelope.body, envelope.sig)) return { ok: false, reason: 'the job is not signed by the master key this minion trusts' };
  let job: JobBody;
  try {
    job = parseJobBody(envelope.body);
  } catch (error) {
    return { ok: false, reason: `malformed signed job: ${messageOf(error)}` };
  }
  const now = deps.now ?? Date.now();
  if (job.expires <= now) return { ok: false, jid: job.jid, reason: `the job expired at ${new Date(job.expires).toISOString()}` };
  if (deps.seen.has(job.jid)) return { ok: false, jid: job.jid, reason: 'the job was already received (replay)' };
  let targeted = false;
  try {
    targeted = matchTarget(job.tgt, job.tgt_type, { id: deps.id, grains: deps.grains });
  } catch (error) {
    return { ok: false, jid: job.jid, reason: `the job's target cannot be read: ${messageOf(error)}` };
  }
  if (!targeted) return { ok: false, jid: job.jid, reason: 'the job does not target this minion' };
  return { ok: true, job };
}
