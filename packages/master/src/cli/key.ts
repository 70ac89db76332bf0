#!/usr/bin/env node
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { formatKeyList, formatKeyValues, displayText } from '@saltmq/common';
import { KeyOps } from '../pki/key-ops.js';
import { KeyStore, statusFromWord, type KeyLists, type KeyStatus } from '../pki/key-store.js';
import { makeKeyWheel } from '../wheel/key.js';
import { AdminClient } from './admin-client.js';
import { cliConfig, DEFAULT_CONFIG_DIR, runCli } from './common.js';

const PROGRAM = 'saltmq-key';
const USAGE = `Usage: saltmq-key [options]

Manages minion keys on the master (Salt's salt-key). Works on the key files whether or not the
master runs; when it runs, changes go through it so events fire and minions are let in at once.

  -L, --list-all          list every key (the default action)
  -l, --list STATUS       list keys by status: acc, pre|un, rej, den, all
  -a, --accept GLOB       accept matching pending keys      -A, --accept-all
  -r, --reject GLOB       reject matching pending keys      -R, --reject-all
  -d, --delete GLOB       delete matching keys              -D, --delete-all
  -f, --finger GLOB       print fingerprints                -F, --finger-all
  -p, --print GLOB        print public keys                 -P, --print-all
      --include-rejected  accept also rejected keys
      --include-accepted  reject also accepted keys
      --include-denied    accept or reject also denied keys
  -y, --yes               answer yes to every question
  -q, --quiet             print nothing but errors
      --out json|yaml     print the result as data
  -c, --config-dir DIR    master config directory (default ${DEFAULT_CONFIG_DIR})`;

type Wheel = (fun: string, kwarg: Record<string, unknown>) => Promise<unknown>;

async function main(): Promise<number> {
  const { values: v } = parseArgs({
    options: {
      'list-all': { type: 'boolean', short: 'L' },
      list: { type: 'string', short: 'l' },
      accept: { type: 'string', short: 'a' },
      'accept-all': { type: 'boolean', short: 'A' },
      reject: { type: 'string', short: 'r' },
      'reject-all': { type: 'boolean', short: 'R' },
      delete: { type: 'string', short: 'd' },
      'delete-all': { type: 'boolean', short: 'D' },
      finger: { type: 'string', short: 'f' },
      'finger-all': { type: 'boolean', short: 'F' },
      print: { type: 'string', short: 'p' },
      'print-all': { type: 'boolean', short: 'P' },
      'include-rejected': { type: 'boolean' },
      'include-accepted': { type: 'boolean' },
      'include-denied': { type: 'boolean' },
      'include-all': { type: 'boolean' },
      yes: { type: 'boolean', short: 'y' },
      quiet: { type: 'boolean', short: 'q' },
      out: { type: 'string' },
      'config-dir': { type: 'string', short: 'c', default: DEFAULT_CONFIG_DIR },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (v.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const config = await cliConfig(PROGRAM, v['config-dir']!);
  const admin = await AdminClient.connect(config).catch(() => undefined);
  const store = new KeyStore(config.pki_dir);
  const local = makeKeyWheel(new KeyOps(store), async () => undefined);
  const wheel: Wheel = admin
    ? (fun, kwarg) => admin.request('wheel', { fun, kwarg })
    : (fun, kwarg) => {
        const impl = local[fun];
        if (!impl) throw new Error(`unknown wheel function ${fun}`);
        return impl(kwarg);
      };
  try {
    return await run(v, wheel);
  } finally {
    await admin?.close();
  }
}

interface Flags {
  [key: string]: string | boolean | undefined;
}

async function run(v: Flags, wheel: Wheel): Promise<number> {
  const say = (text: string) => void (v.quiet ? undefined : process.stdout.write(text));
  const out = typeof v.out === 'string' ? v.out : undefined;
  const show = (data: unknown, asKeys: (d: never) => string) => say(out ? displayText(out, data) : asKeys(data as never));
  const includeDenied = Boolean(v['include-denied'] || v['include-all']);

  if (typeof v.list === 'string') {
    const statuses = statusFromWord(v.list);
    if (!statuses) {
      process.stderr.write(`${PROGRAM}: '${v.list}' is not a valid key status: use acc, pre, un, rej, den or all\n`);
      return 2;
    }
    show(await wheel('key.list', { match: v.list }), (d: Partial<KeyLists>) => formatKeyList(d));
    return 0;
  }
  const accept = typeof v.accept === 'string' ? v.accept : v['accept-all'] ? '*' : undefined;
  if (accept !== undefined) {
    const statuses: KeyStatus[] = ['minions_pre'];
    if (v['include-rejected'] || v['include-all']) statuses.push('minions_rejected');
    if (includeDenied) statuses.push('minions_denied');
    return change(wheel, say, v, accept, statuses, 'accepted', 'key.accept_dict');
  }
  const reject = typeof v.reject === 'string' ? v.reject : v['reject-all'] ? '*' : undefined;
  if (reject !== undefined) {
    const statuses: KeyStatus[] = ['minions_pre'];
    if (v['include-accepted'] || v['include-all']) statuses.push('minions');
    if (includeDenied) statuses.push('minions_denied');
    return change(wheel, say, v, reject, statuses, 'rejected', 'key.reject_dict');
  }
  const del = typeof v.delete === 'string' ? v.delete : v['delete-all'] ? '*' : undefined;
  if (del !== undefined) return change(wheel, say, v, del, ['minions', 'minions_denied', 'minions_pre', 'minions_rejected'], 'deleted', 'key.delete_dict');
  const finger = typeof v.finger === 'string' ? v.finger : v['finger-all'] ? '*' : undefined;
  if (finger !== undefined) {
    show(await wheel('key.finger', { match: finger }), (d: Record<string, Record<string, string>>) => formatKeyValues(d));
    return 0;
  }
  const print = typeof v.print === 'string' ? v.print : v['print-all'] ? '*' : undefined;
  if (print !== undefined) {
    show(await wheel('key.key_str', { match: print }), (d: Record<string, Record<string, string>>) => formatKeyValues(d));
    return 0;
  }
  show(await wheel('key.list', { match: 'all' }), (d: Partial<KeyLists>) => formatKeyList(d));
  return 0;
}

const WHICH: Record<string, string> = {
  minions_pre: 'unaccepted',
  minions: 'accepted',
  minions_rejected: 'rejected',
  minions_denied: 'denied',
};

/** Salt's flow: show what will change, ask (unless -y), change exactly that, report each key. */
async function change(
  wheel: Wheel,
  say: (text: string) => void,
  v: Flags,
  glob: string,
  statuses: KeyStatus[],
  verb: 'accepted' | 'rejected' | 'deleted',
  fun: string,
): Promise<number> {
  const all = (await wheel('key.name_match', { match: glob })) as Partial<KeyLists>;
  const matches: Partial<KeyLists> = Object.fromEntries(statuses.filter((s) => all[s]?.length).map((s) => [s, all[s]]));
  if (Object.keys(matches).length === 0) {
    const names = statuses.map((s) => WHICH[s]!);
    const which = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
    process.stdout.write(`The key glob '${glob}' does not match any ${which} keys.\n`);
    return 1;
  }
  say(`The following keys are going to be ${verb}:\n${formatKeyList(matches)}`);
  if (!v.yes) {
    const deleting = verb === 'deleted';
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    const answer = (await rl.question(deleting ? 'Proceed? [N/y] ' : 'Proceed? [n/Y] ')).trim().toLowerCase();
    rl.close();
    const yes = deleting ? answer.startsWith('y') : answer === '' || answer.startsWith('y');
    if (!yes) return 0;
  }
  await wheel(fun, { match: matches });
  for (const ids of Object.values(matches)) for (const id of ids ?? []) say(`Key for minion ${id} ${verb}.\n`);
  return 0;
}

runCli(PROGRAM, main);
