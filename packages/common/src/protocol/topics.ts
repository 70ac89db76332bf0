/**
 * Every MQTT topic saltmq uses is built or parsed here.
 *
 * Two namespaces share the broker:
 * - the event bus: Salt tags used verbatim as topics (`salt/auth`, `salt/job/<jid>/ret/<id>`, a bare jid,
 *   `minion_start`, custom tags). Only the master publishes there; admins read it.
 * - private channels under `saltmq/`: one set per minion and per admin client, with the id as one whole
 *   topic level. The broker lets a client touch only the channels of the id it proved.
 */
export const PRIVATE_ROOT = 'saltmq';

export type MinionChannel = 'job' | 'key' | 'resp' | 'ret' | 'event' | 'req';
export type AdminChannel = 'req' | 'resp';

/** Channels the master writes and a minion reads. */
export const MINION_INBOX: readonly MinionChannel[] = ['job', 'key', 'resp'];
/** Channels a minion writes and the master reads. */
export const MINION_OUTBOX: readonly MinionChannel[] = ['ret', 'event', 'req'];

export const minionTopic = (id: string, channel: MinionChannel) => `${PRIVATE_ROOT}/minion/${id}/${channel}`;
export const adminTopic = (clientId: string, channel: AdminChannel) => `${PRIVATE_ROOT}/admin/${clientId}/${channel}`;

/**
 * A saltmq-call session: a second connection made with a minion's key while its agent may be
 * connected. Its client id is `<minion id>/call/<session>`: no minion id contains '/', so it never
 * collides with (and never takes over) the agent's session, and two calls at once have their own.
 */
export type CallChannel = 'req' | 'resp';
const CALL_SESSION = /^[A-Za-z0-9_-]{8,32}$/;

export const callClientId = (id: string, session: string) => `${id}/call/${session}`;

/** The minion id and session of a call client id, or undefined when it is not one. */
export function parseCallClientId(clientId: string): { id: string; session: string } | undefined {
  const at = clientId.lastIndexOf('/call/');
  if (at <= 0) return undefined;
  const id = clientId.slice(0, at);
  const session = clientId.slice(at + '/call/'.length);
  return !id.includes('/') && CALL_SESSION.test(session) ? { id, session } : undefined;
}

/**
 * A call session's own request and reply channels. Its events go on the minion's event channel
 * (`minionTopic(id, 'event')`), so the master wraps them with the proven id exactly as the agent's.
 */
export const callTopic = (id: string, session: string, channel: CallChannel) => `${PRIVATE_ROOT}/call/${id}/${session}/${channel}`;

/** Splits `saltmq/call/<id>/<session>/<channel>`; anything else is undefined. */
export function parseCallTopic(topic: string): { id: string; session: string; channel: CallChannel } | undefined {
  const parts = topic.split('/');
  if (parts.length !== 5 || parts[0] !== PRIVATE_ROOT || parts[1] !== 'call') return undefined;
  const [, , id, session, channel] = parts as [string, string, string, string, string];
  if (id === '' || !CALL_SESSION.test(session) || (channel !== 'req' && channel !== 'resp')) return undefined;
  return { id, session, channel };
}

/** In-process subscriptions of the master. */
export const MASTER_FILTERS = {
  minionRet: `${PRIVATE_ROOT}/minion/+/ret`,
  minionEvent: `${PRIVATE_ROOT}/minion/+/event`,
  minionReq: `${PRIVATE_ROOT}/minion/+/req`,
  adminReq: `${PRIVATE_ROOT}/admin/+/req`,
  callReq: `${PRIVATE_ROOT}/call/+/+/req`,
} as const;

export interface PrivateTopic {
  scope: 'minion' | 'admin';
  id: string;
  channel: string;
}

/** Splits `saltmq/<scope>/<id>/<channel>`; anything else is undefined. */
export function parsePrivateTopic(topic: string): PrivateTopic | undefined {
  const parts = topic.split('/');
  if (parts.length !== 4 || parts[0] !== PRIVATE_ROOT) return undefined;
  const [, scope, id, channel] = parts as [string, string, string, string];
  if ((scope !== 'minion' && scope !== 'admin') || id === '' || channel === '') return undefined;
  return { scope, id, channel };
}

/** Whether a topic belongs to the event bus (what admins and state.event see). */
export function isBusTopic(topic: string): boolean {
  return !topic.startsWith(`${PRIVATE_ROOT}/`) && topic !== PRIVATE_ROOT && !topic.startsWith('$');
}

/** Salt's tags, built in one place as Salt's `tagify` does. */
export const tags = {
  auth: 'salt/auth',
  key: 'salt/key',
  minionStart: (id: string) => `salt/minion/${id}/start`,
  legacyMinionStart: 'minion_start',
  jobNew: (jid: string) => `salt/job/${jid}/new`,
  jobReturn: (jid: string, id: string) => `salt/job/${jid}/ret/${id}`,
  jobError: (jid: string) => `salt/job/${jid}/error`,
  runNew: (jid: string) => `salt/run/${jid}/new`,
  runReturn: (jid: string) => `salt/run/${jid}/ret`,
  wheelNew: (jid: string) => `salt/wheel/${jid}/new`,
  wheelReturn: (jid: string) => `salt/wheel/${jid}/ret`,
  reactorError: 'salt/reactor/error',
  presenceChange: 'salt/presence/change',
  /** saltmq's own: a minion refused a job (bad signature, replay, expiry). */
  jobRefused: (jid: string, id: string) => `salt/job/${jid}/refused/${id}`,
} as const;

/** Longest tag saltmq accepts from a minion; topic strings must stay cheap to match. */
export const MAX_TAG_BYTES = 1024;

/**
 * Why a tag cannot travel as a bus topic, or undefined. MQTT forbids wildcards in published topics,
 * `$` topics belong to the broker, and `saltmq/` is the private namespace.
 */
export function tagProblem(tag: unknown): string | undefined {
  if (typeof tag !== 'string' || tag.length === 0) return 'a tag must be a non-empty string';
  if (Buffer.byteLength(tag) > MAX_TAG_BYTES) return `a tag must be at most ${MAX_TAG_BYTES} bytes`;
  if (tag.includes('+') || tag.includes('#')) return 'a tag must not contain + or #';
  if (tag.startsWith('$')) return 'a tag must not start with $';
  if (!isBusTopic(tag)) return `the ${PRIVATE_ROOT}/ prefix is reserved`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\ufffd]/.test(tag)) return 'a tag must not contain control characters';
  if (tag.split('/').length > 64) return 'a tag must have at most 64 levels';
  return undefined;
}
