import { idProblem, isBusTopic, minionTopic, adminTopic, callTopic, parseCallClientId, MINION_INBOX, MINION_OUTBOX } from '@saltmq/common';

/**
 * Who may do what on the broker: pure functions of a session and a topic, called by the Aedes hooks
 * and testable without sockets (and servable later to another broker). Topic filters are compared as
 * exact strings: a minion never holds a wildcard subscription.
 */
export type Role = 'pending' | 'accepted' | 'admin' | 'call' | 'call-pending';

export interface Session {
  role: Role;
  /** the minion id proved at CONNECT, or the admin client id */
  id: string;
  /** the public key a minion proved it holds */
  pub?: string;
  /** a saltmq-call session's own name (the end of its client id `<id>/call/<session>`) */
  call?: string;
}

/**
 * A saltmq-call session ('call', or 'call-pending' while the key waits) speaks for the minion id it
 * proved but is not the minion's agent: it gets no jobs, no key notices and no presence, reads only
 * its own reply channel and writes only its requests and the minion's events.
 */
export const isCallRole = (role: Role): boolean => role === 'call' || role === 'call-pending';

/** The MQTT username of the CLIs; `$` keeps it apart from every valid minion id. */
export const ADMIN_USERNAME = '$admin';

/** Admin client ids start with `$admin`, which no minion id can, so an admin never takes over a minion's session. */
export function isAdminClientId(clientId: string): boolean {
  return /^\$admin[A-Za-z0-9_.-]{0,64}$/.test(clientId);
}

const MAX_TOPIC_BYTES = 1024;

/** Why a topic may not be published by any client, or undefined. */
export function topicProblem(topic: string): string | undefined {
  if (topic.startsWith('$')) return 'topics starting with $ belong to the broker';
  if (Buffer.byteLength(topic) > MAX_TOPIC_BYTES) return `topics are limited to ${MAX_TOPIC_BYTES} bytes`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\ufffd]/.test(topic)) return 'topics must not contain control characters or invalid UTF-8';
  return undefined;
}

function readable(session: Session): Set<string> {
  if (session.role === 'pending') return new Set([minionTopic(session.id, 'key')]);
  // a refused SUBACK is how saltmq-call learns that its key is not accepted yet
  if (session.role === 'call-pending') return new Set();
  if (session.role === 'call') return new Set([callTopic(session.id, session.call ?? '', 'resp')]);
  return new Set(MINION_INBOX.map((channel) => minionTopic(session.id, channel)));
}

/** A minion subscribes only to its own inbox, by exact name; an admin to anything but `$` topics. */
export function canSubscribe(session: Session, filter: string): boolean {
  if (session.role === 'admin') return !filter.startsWith('$') && topicProblem(filter.replace(/[+#]/g, 'x')) === undefined;
  return readable(session).has(filter);
}

export interface PublishFacts {
  topic: string;
  retain: boolean;
  qos: number;
}

/** Why this session may not publish this packet, or undefined when it may. */
export function publishProblem(session: Session, packet: PublishFacts): string | undefined {
  const problem = topicProblem(packet.topic);
  if (problem) return problem;
  if (packet.retain) return 'retained messages are not allowed';
  if (packet.qos > 1) return 'QoS 2 is not used by saltmq';
  if (session.role === 'admin') {
    return packet.topic === adminTopic(session.id, 'req') ? undefined : 'an admin client publishes only on its own request channel';
  }
  if (session.role === 'pending') return 'a pending minion may only wait for its key to be accepted';
  if (session.role === 'call-pending') return 'the key of this minion is not accepted';
  if (session.role === 'call') {
    const own = [minionTopic(session.id, 'event'), callTopic(session.id, session.call ?? '', 'req')];
    return own.includes(packet.topic) ? undefined : "a call session publishes only the minion's events and its own requests";
  }
  const own = MINION_OUTBOX.map((channel) => minionTopic(session.id, channel));
  return own.includes(packet.topic) ? undefined : 'a minion publishes only on its own channels';
}

/** Whether the broker may deliver a message on this topic to this session (every outbound path). */
export function canReceive(session: Session, topic: string): boolean {
  if (session.role === 'admin') return isBusTopic(topic) || topic === adminTopic(session.id, 'resp');
  return readable(session).has(topic);
}

/** Cheap checks on CONNECT before any signature work. */
export function connectProblem(clientId: string, username: string | undefined): string | undefined {
  if (username === undefined || username === '') return 'a username is required';
  if (username === ADMIN_USERNAME) return isAdminClientId(clientId) ? undefined : 'admin client ids must start with $admin';
  const problem = idProblem(username);
  if (problem) return problem;
  if (clientId !== username && parseCallClientId(clientId)?.id !== username) return 'the client id must be the minion id, or <minion id>/call/<session> for saltmq-call';
  return undefined;
}
