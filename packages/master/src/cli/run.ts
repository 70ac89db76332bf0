#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { exprMatch, parseCliArgs, displayText, pyJsonDumps, splitArgs } from '@saltmq/common';
import { AdminClient } from './admin-client.js';
import { cliConfig, DEFAULT_CONFIG_DIR, fail, runCli } from './common.js';

const PROGRAM = 'saltmq-run';
const USAGE = `Usage: saltmq-run [options] <function> [arguments]

Runs a runner function on the master (Salt's salt-run), e.g.:
  saltmq-run state.event pretty=True            watch the event bus
  saltmq-run state.event 'salt/job/*' count=3   only matching tags, stop after three
  saltmq-run jobs.lookup_jid <jid>              a job's returns from the job cache
  saltmq-run jobs.list_jobs search_function='test.*'

  --out NAME            outputter (nested, json, yaml, ...)
  -c, --config-dir DIR  master config directory (default ${DEFAULT_CONFIG_DIR})`;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      'out-indent': { type: 'string' },
      'config-dir': { type: 'string', short: 'c', default: DEFAULT_CONFIG_DIR },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [fun, ...rawArgs] = positionals;
  if (values.help || !fun) {
    process.stdout.write(USAGE + '\n');
    return values.help ? 0 : 2;
  }
  const config = await cliConfig(PROGRAM, values['config-dir']!);
  const admin = await AdminClient.connect(config).catch((error: Error) => fail(PROGRAM, `cannot reach the master: ${error.message}`, 2));
  if (!admin) return fail(PROGRAM, `no saltmq master is running for ${values['config-dir']}`, 2);
  try {
    const { args, kwargs } = splitArgs(parseCliArgs(rawArgs));
    if (fun === 'state.event') return await watchEvents(admin, args, kwargs);
    const result = await admin.request<{ return: unknown; success: boolean }>('runner', { fun, arg: args, kwarg: kwargs }, 10 * 60_000);
    const value = result.return as { outputter?: string; data?: unknown } | unknown;
    const opts = values['out-indent'] !== undefined ? { indent: Number(values['out-indent']) } : {};
    if (value && typeof value === 'object' && 'outputter' in value && 'data' in value && !values.out) {
      process.stdout.write(displayText(String(value.outputter), value.data, opts));
    } else {
      process.stdout.write(displayText(values.out ?? 'nested', value, opts));
    }
    return result.success ? 0 : 1;
  } finally {
    await admin.close();
  }
}

/**
 * Salt's state.event runner, here a client of the bus: one line per event, the tag, a TAB, and the
 * data as Python's json.dumps prints it (pretty: indent 4, sorted keys).
 */
async function watchEvents(admin: AdminClient, args: unknown[], kwargs: Record<string, unknown>): Promise<number> {
  const tagmatch = String(kwargs.tagmatch ?? args[0] ?? '*');
  let count = Number(kwargs.count ?? args[1] ?? -1);
  const quiet = kwargs.quiet === true;
  const pretty = kwargs.pretty === true;
  if (count === 0) return 0;
  return new Promise<number>((resolve) => {
    const stop = () => resolve(0);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    admin.client.once('close', () => resolve(1));
    void admin.subscribe('#', (topic, payload) => {
      if (!exprMatch(topic, tagmatch)) return;
      let data: unknown;
      try {
        data = JSON.parse(payload.toString('utf8'));
      } catch {
        data = payload.toString('utf8');
      }
      if (!quiet) process.stdout.write(`${topic}\t${pyJsonDumps(data, pretty ? { indent: 4, sortKeys: true } : {})}\n`);
      if (count > 0 && --count === 0) resolve(0);
    }).then(() => {
      // a marker on stderr for scripts and tests that must not fire before the watcher listens
      if (process.env.SALTMQ_EVENT_READY) process.stderr.write('listening\n');
    });
  });
}

runCli(PROGRAM, main);
