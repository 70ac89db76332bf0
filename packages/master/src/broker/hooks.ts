import type { AuthenticateError, AedesOptions, Client } from 'aedes';
import type { Logger } from '@saltmq/common';
import { canReceive, canSubscribe, publishProblem, type Session } from './access.js';

/** What authentication decides: a session for the client, or a CONNACK refusal with its reason. */
export type AuthResult = { session: Session } | { refuse: 2 | 3 | 4 | 5; reason: string };
export type Authenticator = (client: Client, username: string | undefined, password: Buffer | undefined) => Promise<AuthResult>;

export interface HookDeps {
  authenticate: Authenticator;
  sessions: WeakMap<Client, Session>;
  log: Logger;
  /** connections one address may open per second */
  connectRatePerIp: number;
}

/**
 * The Aedes hooks: each one asks the pure rules in access.ts about the session that authentication
 * attached to the client. Nothing a client sends can change its session.
 */
export function makeHooks(deps: HookDeps): Pick<AedesOptions, 'preConnect' | 'authenticate' | 'authorizePublish' | 'authorizeSubscribe' | 'authorizeForward'> {
  const { sessions, log } = deps;
  const buckets = new Map<string, { second: number; count: number }>();
  return {
    preConnect(client, _packet, callback) {
      const address = (client.conn as { remoteAddress?: string }).remoteAddress ?? 'unknown';
      const second = Math.floor(Date.now() / 1000);
      const bucket = buckets.get(address);
      if (!bucket || bucket.second !== second) {
        if (buckets.size > 100_000) buckets.clear();
        buckets.set(address, { second, count: 1 });
      } else if (++bucket.count > deps.connectRatePerIp) {
        log.warn('connection refused: too many from one address', { address });
        return callback(new Error('connection rate limit'), false); // an Error: a bare false leaves the socket hanging
      }
      callback(null, true);
    },

    authenticate(client, username, password, callback) {
      deps.authenticate(client, username, password).then(
        (result) => {
          if ('session' in result) {
            sessions.set(client, result.session);
            return callback(null, true);
          }
          log.info('connection refused', { client: client.id, reason: result.reason });
          const error = Object.assign(new Error(result.reason), { returnCode: result.refuse }) as AuthenticateError;
          callback(error, false);
        },
        (error: unknown) => {
          log.error('authentication failed unexpectedly', { client: client.id, error });
          callback(Object.assign(new Error('server unavailable'), { returnCode: 3 }) as AuthenticateError, false);
        },
      );
    },

    authorizePublish(client, packet, callback) {
      const session = client ? sessions.get(client) : undefined;
      if (!client || !session) return callback(new Error('no session: publish refused'));
      const problem = publishProblem(session, { topic: packet.topic, retain: packet.retain, qos: packet.qos });
      if (problem) {
        log.warn('publish refused', { client: client.id, topic: packet.topic.slice(0, 200), reason: problem });
        return callback(new Error(problem));
      }
      callback(null);
    },

    authorizeSubscribe(client, subscription, callback) {
      const session = sessions.get(client);
      if (session && canSubscribe(session, subscription.topic)) {
        return callback(null, { ...subscription, qos: Math.min(subscription.qos, 1) as 0 | 1 });
      }
      log.warn('subscription refused', { client: client.id, filter: subscription.topic.slice(0, 200) });
      // with a persistent session a refused filter would still be stored (Aedes keeps the whole
      // SUBSCRIBE list), so such a client is disconnected instead of answered 0x80
      if (!client.clean) return callback(new Error('subscription refused'));
      callback(null, null);
    },

    authorizeForward(client, packet) {
      const session = sessions.get(client);
      return session && canReceive(session, packet.topic) ? packet : null;
    },
  };
}
