import { generateKeyPair, InvocationError, pemFingerprint } from '@saltmq/common';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KeyChange, KeyOps } from '../pki/key-ops.js';
import { KEY_DIRS, statusFromWord, type KeyLists, type KeyStatus } from '../pki/key-store.js';

export type WheelFunction = (kwargs: Record<string, unknown>) => Promise<unknown>;

/** Parameters of Salt's wheel.key functions, for the old syntax that maps top-level keys onto them. */
export const WHEEL_PARAMS: Record<string, readonly string[]> = {
  'key.list': ['match'],
  'key.list_all': [],
  'key.name_match': ['match'],
  'key.accept': ['match', 'include_rejected', 'include_denied'],
  'key.accept_dict': ['match'],
  'key.reject': ['match', 'include_accepted', 'include_denied'],
  'key.reject_dict': ['match'],
  'key.delete': ['match'],
  'key.delete_dict': ['match'],
  'key.key_str': ['match'],
  'key.print': ['match'],
  'key.finger': ['match', 'hash_type'],
  'key.master_key_str': [],
  'key.finger_master': ['hash_type'],
  'key.gen': ['id_', 'keysize'],
  'key.gen_accept': ['id_', 'keysize', 'force'],
};

/** Binds positional arguments of a wheel call to their parameter names, as Salt's WheelClient does. */
export function wheelKwargs(fun: string, arg: readonly unknown[], kwarg: Record<string, unknown>): Record<string, unknown> {
  const params = WHEEL_PARAMS[fun] ?? [];
  const out = { ...kwarg };
  arg.forEach((value, index) => {
    const name = params[index];
    if (name === undefined) throw new Error(`wheel.${fun} takes at most ${params.length} positional arguments`);
    out[name] = value;
  });
  return out;
}

/** Salt's `match` argument: a glob, a comma list of globs, or a list of ids. */
function globOf(match: unknown): string {
  if (typeof match === 'string' && match !== '') return match;
  if (Array.isArray(match) && match.length > 0) return match.map(String).join(',');
  throw new InvocationError("'match' is required: a glob, a comma-separated list of globs, or a list of ids");
}

const flag = (value: unknown) => value === true || value === 'True' || value === 'true';

function asMatchDict(match: unknown): Partial<KeyLists> {
  if (!match || typeof match !== 'object' || Array.isArray(match)) throw new InvocationError("'match' must map key statuses to lists of ids");
  const out: Partial<KeyLists> = {};
  for (const [status, ids] of Object.entries(match as Record<string, unknown>)) {
    if (!(KEY_DIRS as readonly string[]).includes(status) || !Array.isArray(ids)) continue;
    out[status as KeyStatus] = ids.map(String);
  }
  return out;
}

/**
 * Salt's wheel.key module over KeyOps. `apply` receives every change so the running master can fire
 * salt/key and act on connections; salt-key offline passes a no-op.
 */
export function makeKeyWheel(ops: KeyOps, apply: (changes: KeyChange[]) => Promise<void>): Record<string, WheelFunction> {
  const act = async (work: Promise<{ result: Partial<KeyLists>; changes: KeyChange[] }>) => {
    const { result, changes } = await work;
    await apply(changes);
    return result;
  };
  return {
    'key.list': async (kw) => {
      const statuses = statusFromWord(String(kw.match ?? 'all'));
      if (!statuses) throw new InvocationError(`unknown key status '${String(kw.match)}': use pre, acc, rej, den or all`);
      return ops.list(statuses);
    },
    'key.list_all': () => ops.listAll(),
    'key.name_match': (kw) => ops.nameMatch(globOf(kw.match)),
    'key.accept': (kw) => act(ops.accept(globOf(kw.match), { includeRejected: flag(kw.include_rejected), includeDenied: flag(kw.include_denied) })),
    'key.accept_dict': (kw) => act(ops.acceptDict(asMatchDict(kw.match))),
    'key.reject': (kw) => act(ops.reject(globOf(kw.match), { includeAccepted: flag(kw.include_accepted), includeDenied: flag(kw.include_denied) })),
    'key.reject_dict': (kw) => act(ops.rejectDict(asMatchDict(kw.match))),
    'key.delete': (kw) => act(ops.delete(globOf(kw.match))),
    'key.delete_dict': (kw) => act(ops.deleteDict(asMatchDict(kw.match))),
    'key.key_str': (kw) => ops.keyStr(globOf(kw.match)),
    'key.print': (kw) => ops.keyStr(globOf(kw.match)),
    'key.finger': (kw) => ops.finger(globOf(kw.match), typeof kw.hash_type === 'string' ? kw.hash_type : 'sha256'),
    'key.master_key_str': async () => ({ local: { 'master.pub': await readFile(join(ops.store.pkiDir, 'master.pub'), 'utf8') } }),
    'key.finger_master': async (kw) => ({
      local: { 'master.pub': pemFingerprint(await readFile(join(ops.store.pkiDir, 'master.pub'), 'utf8'), typeof kw.hash_type === 'string' ? kw.hash_type : 'sha256') },
    }),
    'key.gen': async (kw) => {
      const pair = await generateKeyPair(typeof kw.keysize === 'number' ? kw.keysize : 2048);
      return { pub: pair.publicPem, priv: pair.privatePem };
    },
    'key.gen_accept': async (kw) => {
      const id = kw.id_ ?? kw.id;
      if (typeof id !== 'string') throw new InvocationError("'id_' is required");
      const result = await ops.genAccept(id, typeof kw.keysize === 'number' ? kw.keysize : 2048, flag(kw.force));
      if ('pub' in result) await apply([{ act: 'accept', id }]);
      return result;
    },
  };
}
