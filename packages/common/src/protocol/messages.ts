import { BadMessageError } from '../errors.js';
import { isJid } from '../time.js';

/**
 * Every payload on a private channel: one interface per message, each with `v: 1`, and a parse
 * function that returns the typed value or throws BadMessageError. Only the edges (the master's
 * consumers and the minion agent) parse; everything inside trusts the types.
 */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = Record<string, unknown>;

function decode(payload: Buffer | string, what: string): Obj {
  let value: unknown;
  try {
    value = JSON.parse(typeof payload === 'string' ? payload : payload.toString('utf8'));
  } catch (error) {
    throw new BadMessageError(`${what}: not JSON (${(error as Error).message})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new BadMessageError(`${what}: not a JSON object`);
  const obj = value as Obj;
  if (obj.v !== 1) throw new BadMessageError(`${what}: unsupported version ${JSON.stringify(obj.v)}`);
  return obj;
}

function str(obj: Obj, key: string, what: string, max = 65_536): string {
  const value = obj[key];
  if (typeof value !== 'string' || value.length > max) throw new BadMessageError(`${what}: '${key}' must be a string of at most ${max} characters`);
  return value;
}

function num(obj: Obj, key: string, what: string): number {
  const value = obj[key];
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new BadMessageError(`${what}: '${key}' must be a number`);
  return value;
}

function jid(obj: Obj, what: string): string {
  if (!isJid(obj.jid)) throw new BadMessageError(`${what}: 'jid' must be a Salt jid (20 digits)`);
  return obj.jid;
}

// ---------------------------------------------------------------------------------------------------
// CONNECT credentials of a minion (the MQTT password)

/** Proves possession of the minion key at CONNECT: a fresh, signed, single-use statement. */
export interface MinionCredentials {
  v: 1;
  /** the minion's public key (SPKI PEM), so a new key can be filed as pending */
  pub: string;
  /** the minion's clock, ms since the epoch */
  ts: number;
  nonce: string;
  /** fingerprint of the master key the minion pinned: binds the proof to this master */
  master: string;
  sig: string;
}

/** The text a minion signs at CONNECT. */
export function credentialStatement(id: string, c: Pick<MinionCredentials, 'ts' | 'nonce' | 'master' | 'pub'>): string {
  return `saltmq-connect/1\n${id}\n${c.ts}\n${c.nonce}\n${c.master}\n${c.pub}`;
}

export function parseCredentials(payload: Buffer | string): MinionCredentials {
  const what = 'credentials';
  const obj = decode(payload, what);
  const nonce = str(obj, 'nonce', what, 64);
  if (!/^[A-Za-z0-9_-]{16,64}$/.test(nonce)) throw new BadMessageError(`${what}: 'nonce' must be 16-64 url-safe characters`);
  return { v: 1, pub: str(obj, 'pub', what, 8192), ts: num(obj, 'ts', what), nonce, master: str(obj, 'master', what, 200), sig: str(obj, 'sig', what, 2048) };
}

// ---------------------------------------------------------------------------------------------------
// master → minion

/** Sent on the minion's `key` channel when the decision about its key changes. */
export interface KeyNotice {
  v: 1;
  status: 'pending' | 'accepted' | 'rejected' | 'denied';
  reason?: string;
}

export function parseKeyNotice(payload: Buffer | string): KeyNotice {
  const obj = decode(payload, 'key notice');
  const status = obj.status;
  if (status !== 'pending' && status !== 'accepted' && status !== 'rejected' && status !== 'denied') {
    throw new BadMessageError(`key notice: unknown status ${JSON.stringify(status)}`);
  }
  return typeof obj.reason === 'string' ? { v: 1, status, reason: obj.reason } : { v: 1, status };
}

/** The signed part of a job: what Salt publishes, plus an expiry the minion enforces. */
export interface JobBody {
  jid: string;
  fun: string;
  arg: Json[];
  tgt: string | string[];
  tgt_type: string;
  user: string;
  ret: string;
  /** ms since the epoch after which the job must not start */
  expires: number;
  /** ms since the epoch when the master signed it */
  issued: number;
}

/** A job as it travels: the body as signed text, so verification sees exactly the signed bytes. */
export interface JobEnvelope {
  v: 1;
  body: string;
  sig: string;
}

export function parseJobEnvelope(payload: Buffer | string): JobEnvelope {
  const what = 'job';
  const obj = decode(payload, what);
  return { v: 1, body: str(obj, 'body', what, 4 * 1024 * 1024), sig: str(obj, 'sig', what, 2048) };
}

export function parseJobBody(text: string): JobBody {
  const what = 'job body';
  let obj: Obj;
  try {
    obj = JSON.parse(text) as Obj;
  } catch {
    throw new BadMessageError(`${what}: not JSON`);
  }
  if (!obj || typeof obj !== 'object') throw new BadMessageError(`${what}: not an object`);
  if (!Array.isArray(obj.arg)) throw new BadMessageError(`${what}: 'arg' must be a list`);
  const tgt = obj.tgt;
  if (typeof tgt !== 'string' && !(Array.isArray(tgt) && tgt.every((t) => typeof t === 'string'))) {
    throw new BadMessageError(`${what}: 'tgt' must be a string or a list of strings`);
  }
  return {
    jid: jid(obj, what),
    fun: str(obj, 'fun', what, 256),
    arg: obj.arg as Json[],
    tgt,
    tgt_type: str(obj, 'tgt_type', what, 32),
    user: str(obj, 'user', what, 256),
    ret: typeof obj.ret === 'string' ? obj.ret : '',
    expires: num(obj, 'expires', what),
    issued: num(obj, 'issued', what),
  };
}

/** Replies and pushes on a `resp` channel. */
export type ResponseMessage =
  | { v: 1; type: 'response'; rid: string; ok: true; result: unknown }
  | { v: 1; type: 'response'; rid: string; ok: false; error: { code: string; message: string } }
  /** the master stored these returns durably; the minion may forget them */
  | { v: 1; type: 'ret_ack'; jids: string[] };

export function parseResponse(payload: Buffer | string): ResponseMessage {
  const what = 'response';
  const obj = decode(payload, what);
  if (obj.type === 'ret_ack') {
    if (!Array.isArray(obj.jids) || !obj.jids.every(isJid)) throw new BadMessageError(`${what}: 'jids' must be a list of jids`);
    return { v: 1, type: 'ret_ack', jids: obj.jids as string[] };
  }
  if (obj.type !== 'response') throw new BadMessageError(`${what}: unknown type ${JSON.stringify(obj.type)}`);
  const rid = str(obj, 'rid', what, 128);
  if (obj.ok === true) return { v: 1, type: 'response', rid, ok: true, result: obj.result };
  const error = obj.error as Obj | undefined;
  return {
    v: 1,
    type: 'response',
    rid,
    ok: false,
    error: { code: String(error?.code ?? 'ERR_UNKNOWN'), message: String(error?.message ?? 'unknown error') },
  };
}

// ---------------------------------------------------------------------------------------------------
// minion → master

/** A job's outcome (Salt's return load) or a note on its progress. */
export type ReturnMessage =
  | {
      v: 1;
      kind: 'ret';
      jid: string;
      fun: string;
      fun_args: Json[];
      return: Json;
      retcode: number;
      success: boolean;
      out?: string;
    }
  | { v: 1; kind: 'progress'; jid: string; state: 'running' | 'refused'; reason?: string };

export function parseReturn(payload: Buffer | string): ReturnMessage {
  const what = 'return';
  const obj = decode(payload, what);
  if (obj.kind === 'progress') {
    const state = obj.state;
    if (state !== 'running' && state !== 'refused') throw new BadMessageError(`${what}: unknown progress state`);
    const base = { v: 1 as const, kind: 'progress' as const, jid: jid(obj, what), state: state as 'running' | 'refused' };
    return typeof obj.reason === 'string' ? { ...base, reason: obj.reason.slice(0, 2000) } : base;
  }
  if (obj.kind !== 'ret') throw new BadMessageError(`${what}: unknown kind ${JSON.stringify(obj.kind)}`);
  if (!Array.isArray(obj.fun_args)) throw new BadMessageError(`${what}: 'fun_args' must be a list`);
  if (!('return' in obj)) throw new BadMessageError(`${what}: 'return' is missing`);
  if (typeof obj.success !== 'boolean') throw new BadMessageError(`${what}: 'success' must be a boolean`);
  const message: ReturnMessage = {
    v: 1,
    kind: 'ret',
    jid: jid(obj, what),
    fun: str(obj, 'fun', what, 256),
    fun_args: obj.fun_args as Json[],
    return: obj.return as Json,
    retcode: Math.trunc(num(obj, 'retcode', what)),
    success: obj.success,
  };
  if (typeof obj.out === 'string') message.out = obj.out;
  return message;
}

/** An event the minion fires on the master's bus (start, event.send, state progress). */
export interface EventMessage {
  v: 1;
  tag: string;
  data: Json;
  /** Salt's `pretag`: fire a second copy under `<pretag>/<tag>` */
  pretag?: string | null;
  /** grains sent with the start event, cached by the master for targeting */
  grains?: Record<string, Json>;
}

export function parseEvent(payload: Buffer | string): EventMessage {
  const what = 'event';
  const obj = decode(payload, what);
  const tag = str(obj, 'tag', what, 1024);
  const message: EventMessage = { v: 1, tag, data: (obj.data ?? null) as Json };
  if (typeof obj.pretag === 'string') message.pretag = obj.pretag;
  if (obj.grains && typeof obj.grains === 'object' && !Array.isArray(obj.grains)) message.grains = obj.grains as Record<string, Json>;
  return message;
}

/** A request to the master (file server, pillar, admin commands); the reply comes on `resp`. */
export interface RequestMessage {
  v: 1;
  rid: string;
  method: string;
  params: Record<string, unknown>;
}

export function parseRequest(payload: Buffer | string): RequestMessage {
  const what = 'request';
  const obj = decode(payload, what);
  const params = obj.params ?? {};
  if (typeof params !== 'object' || params === null || Array.isArray(params)) throw new BadMessageError(`${what}: 'params' must be an object`);
  return { v: 1, rid: str(obj, 'rid', what, 128), method: str(obj, 'method', what, 128), params: params as Record<string, unknown> };
}

export function encode(message: object): Buffer {
  return Buffer.from(JSON.stringify(message));
}
