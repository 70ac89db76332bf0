import { timingSafeEqual } from 'node:crypto';
import type { Client } from 'aedes';
import { credentialStatement, messageOf, normalizePublicPem, parseCallClientId, parseCredentials, verifyText, type Logger } from '@saltmq/common';
import type { KeyGate } from '../pki/key-gate.js';
import { ADMIN_USERNAME, connectProblem } from './access.js';
import type { Authenticator } from './hooks.js';

export interface AuthenticatorDeps {
  gate: KeyGate;
  adminToken: string;
  /** the master's pem_finger: a proof made for another master is refused */
  masterFingerprint: string;
  /** fires salt/auth (Salt's auth_events) */
  fireAuth(data: Record<string, unknown>): void;
  log: Logger;
  /** how far a minion's clock may be from ours. @default 300 s */
  clockSkewMs?: number;
}

/**
 * Turns CONNECT credentials into a session. An admin presents the token only the master's user can
 * read. A minion presents a fresh statement signed with its private key, naming its id, a time, a
 * nonce, the master it pinned and its public key: possession of the key is proven, not claimed, and a
 * recorded proof cannot be replayed (nonce) or carried to another master (fingerprint). Then Salt's
 * key rules decide the role. A saltmq-call session (client id `<id>/call/<session>`) proves itself the
 * same way and gets the call roles instead, so it never stands in for the minion's agent.
 */
export function makeAuthenticator(deps: AuthenticatorDeps): Authenticator {
  const skew = deps.clockSkewMs ?? 300_000;
  const seenNonces = new Map<string, number>();
  const token = Buffer.from(deps.adminToken);

  const rememberNonce = (nonce: string): boolean => {
    const now = Date.now();
    if (seenNonces.size > 10_000) for (const [n, expiry] of seenNonces) if (expiry < now) seenNonces.delete(n);
    if (seenNonces.has(nonce)) return false;
    seenNonces.set(nonce, now + 2 * skew);
    return true;
  };

  return async (client: Client, username: string | undefined, password: Buffer | undefined) => {
    const problem = connectProblem(client.id, username);
    if (problem) return { refuse: username === ADMIN_USERNAME ? 4 : 2, reason: problem };
    if (!password || password.length > 16_384) return { refuse: 4, reason: 'missing or oversized credentials' };

    if (username === ADMIN_USERNAME) {
      const given = Buffer.from(password.toString('utf8').trim());
      const ok = given.length === token.length && timingSafeEqual(given, token);
      return ok ? { session: { role: 'admin', id: client.id } } : { refuse: 4, reason: 'bad admin credential' };
    }

    const id = username!;
    let creds;
    let pub: string;
    try {
      creds = parseCredentials(password);
      pub = normalizePublicPem(creds.pub);
    } catch (error) {
      return { refuse: 4, reason: `unreadable credentials: ${messageOf(error)}` };
    }
    if (Math.abs(Date.now() - creds.ts) > skew) return { refuse: 4, reason: 'the credentials are not fresh (check the minion clock)' };
    if (creds.master !== deps.masterFingerprint) return { refuse: 4, reason: 'the credentials were made for another master key' };
    if (!verifyText(pub, credentialStatement(id, { ...creds, pub: creds.pub }), creds.sig)) {
      return { refuse: 4, reason: 'the signature does not match the presented key' };
    }
    if (!rememberNonce(creds.nonce)) return { refuse: 4, reason: 'the credentials were already used' };

    // connectProblem has checked that a client id other than the id itself is this id's call form
    const call = client.id === id ? undefined : parseCallClientId(client.id)?.session;
    const outcome = await deps.gate.decide(id, pub);
    deps.fireAuth(outcome.event);
    deps.log.info('minion key checked', { id, verdict: outcome.verdict, reason: outcome.reason, ...(call ? { call } : {}) });
    switch (outcome.verdict) {
      case 'accepted':
        return { session: call ? { role: 'call', id, pub, call } : { role: 'accepted', id, pub } };
      case 'pending':
        return { session: call ? { role: 'call-pending', id, pub, call } : { role: 'pending', id, pub } };
      case 'full':
        return { refuse: 3, reason: outcome.reason };
      default:
        return { refuse: 5, reason: outcome.reason };
    }
  };
}
