import { parseArgs } from 'node:util';
import { isOutputterName, LOG_LEVELS, type LogLevel } from '@saltmq/common';

export const CALL_USAGE = `Usage: saltmq-call [options] <function> [arguments] [key=value ...]

Runs an execution function (or a state function through state.*) on this minion, in this process,
with the minion's config, grains and modules, and prints the result (Salt's 'salt-call').
With a master it fetches salt:// files and pillar from it as the accepted minion, and event.send
puts events on the master's bus under the minion's id. It works next to a running saltmq-minion.

  -c, --config-dir DIR     directory holding the 'minion' file and minion.d/ (default /etc/saltmq)
      --local              masterless (Salt's file_client: local): salt:// from file_roots, pillar
                           from pillar_roots in the minion config; no master is contacted
      --out NAME           nested, json, yaml, txt, raw, highstate, quiet (--output too)
      --out-indent N       indent for json/yaml (negative: one line)
      --no-color / --force-color
      --retcode-passthrough  exit with the function's own retcode (a failed state: 2)
      --id ID              run as this minion id instead of the config's
      --no-return-event    do not send the return to the master (by default it lands in the job
                           cache and fires salt/job/<jid>/ret/<id>, as salt-call's does)
      --grains             print this minion's grains (grains.items)
  -d, --doc                print the documentation of the named functions or modules (sys.doc)
  -l, --log-level LEVEL    one of ${LOG_LEVELS.join(', ')} (logs go to stderr)
  -h, --help               show this help

Examples:
  saltmq-call test.ping
  saltmq-call --local state.apply
  saltmq-call event.send myco/build/done '{"rev": "abc"}'

Exit codes: 0 success, 1 the function failed, 255 it is not available (as salt-call), 2 usage,
configuration, master unreachable or key not accepted, 42 master fingerprint mismatch, 77 key
rejected; with --retcode-passthrough the function's retcode.`;

export interface CallOptions {
  configDir: string;
  local: boolean;
  fun: string;
  args: string[];
  out: string | undefined;
  outIndent: number | undefined;
  color: boolean;
  retcodePassthrough: boolean;
  /** salt-call's --id: the minion id for this call */
  id: string | undefined;
  /** send the return to the master (Salt's no_return_event turns it off) */
  returnEvent: boolean;
  logLevel: LogLevel | undefined;
}

export class CallUsageError extends Error {}

/** Parses `saltmq-call` arguments; options may come before or after the function, as with optparse. */
export function parseCallArgs(argv: string[]): CallOptions | 'help' {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'config-dir': { type: 'string', short: 'c', default: '/etc/saltmq' },
      local: { type: 'boolean' },
      out: { type: 'string' },
      output: { type: 'string' },
      'out-indent': { type: 'string' },
      'no-color': { type: 'boolean' },
      'force-color': { type: 'boolean' },
      'retcode-passthrough': { type: 'boolean' },
      'no-return-event': { type: 'boolean' },
      id: { type: 'string' },
      grains: { type: 'boolean' },
      doc: { type: 'boolean', short: 'd' },
      'log-level': { type: 'string', short: 'l' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  // salt-call's --grains and --doc are shorthands for grains.items and sys.doc
  const [fun, ...args] = values.grains ? ['grains.items'] : values.doc ? ['sys.doc', ...positionals] : positionals;
  if (fun === undefined) throw new CallUsageError('Requires function, --grains or --doc');
  const out = values.out ?? values.output;
  if (out !== undefined && !isOutputterName(out)) throw new CallUsageError(`unknown outputter '${out}'`);
  const indent = values['out-indent'];
  if (indent !== undefined && !/^-?\d+$/.test(indent)) throw new CallUsageError(`--out-indent must be an integer, got '${indent}'`);
  const level = values['log-level'] as LogLevel | undefined;
  if (level !== undefined && !LOG_LEVELS.includes(level)) throw new CallUsageError(`unknown log level '${level}'; use one of ${LOG_LEVELS.join(', ')}`);
  return {
    configDir: values['config-dir']!,
    local: values.local ?? false,
    fun,
    args,
    out,
    outIndent: indent === undefined ? undefined : Number(indent),
    color: values['force-color'] ? true : values['no-color'] ? false : process.stdout.isTTY === true,
    retcodePassthrough: values['retcode-passthrough'] ?? false,
    returnEvent: !(values['no-return-event'] ?? false),
    id: values.id,
    logLevel: level,
  };
}
