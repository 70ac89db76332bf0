import { parseArgs } from 'node:util';
import { DEFAULT_CONFIG_DIR } from './common.js';

export const SALT_USAGE = `Usage: saltmq [options] '<target>' <function> [arguments]

Publishes a job to the minions the target selects and prints their returns as they arrive
(Salt's 'salt' command).

Targeting (glob by default):
  -E, --pcre            regular expression on minion ids
  -L, --list            comma- or space-separated list of ids
  -G, --grain           grain:globvalue
  -P, --grain-pcre      grain:regex
  -I, --pillar          pillar:globvalue
  -J, --pillar-pcre     pillar:regex
  -S, --ipcidr          address or network
  -C, --compound        compound expression (G@os:Debian and web* or L@a,b)
      --delimiter C     nested key separator for grain/pillar targets (default :)
Output:
      --out NAME        nested, json, yaml, txt, raw, highstate, quiet (--output too)
      --out-indent N    indent for json/yaml (negative: one line)
      --static          print all returns together at the end
      --no-color / --force-color
Job:
  -t, --timeout S       seconds to wait for returns before asking minions (default: the master's timeout, 5)
      --gather-job-timeout S  seconds to wait for find_job answers (default 10)
      --async           publish and print the job id without waiting
      --job-ttl S       seconds the job waits for offline minions (default: the master's job_ttl)
  -v, --verbose         print the jid and every minion that did not return
      --hide-timeout    do not list minions that did not return
      --show-jid        print the jid
      --summary         print a summary after the returns
  -c, --config-dir DIR  master config directory (default ${DEFAULT_CONFIG_DIR})
  -h, --help            show this help`;

const TARGET_FLAGS = {
  pcre: 'pcre',
  list: 'list',
  grain: 'grain',
  'grain-pcre': 'grain_pcre',
  pillar: 'pillar',
  'pillar-pcre': 'pillar_pcre',
  ipcidr: 'ipcidr',
  compound: 'compound',
} as const;

export interface SaltOptions {
  configDir: string;
  tgt: string;
  tgtType: string;
  fun: string;
  args: string[];
  out: string | undefined;
  outIndent: number | undefined;
  static: boolean;
  color: boolean;
  timeout: number | undefined;
  gatherJobTimeout: number | undefined;
  async: boolean;
  jobTtl: number | undefined;
  verbose: boolean;
  hideTimeout: boolean;
  showJid: boolean;
  summary: boolean;
  delimiter: string | undefined;
}

export class UsageError extends Error {}

/** Parses `saltmq` arguments as Salt's `salt` does; throws UsageError with Salt's wording for mistakes. */
export function parseSaltArgs(argv: string[]): SaltOptions | 'help' {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      pcre: { type: 'boolean', short: 'E' },
      list: { type: 'boolean', short: 'L' },
      grain: { type: 'boolean', short: 'G' },
      'grain-pcre': { type: 'boolean', short: 'P' },
      pillar: { type: 'boolean', short: 'I' },
      'pillar-pcre': { type: 'boolean', short: 'J' },
      ipcidr: { type: 'boolean', short: 'S' },
      compound: { type: 'boolean', short: 'C' },
      delimiter: { type: 'string' },
      out: { type: 'string' },
      output: { type: 'string' },
      'out-indent': { type: 'string' },
      static: { type: 'boolean' },
      'no-color': { type: 'boolean' },
      'force-color': { type: 'boolean' },
      timeout: { type: 'string', short: 't' },
      'gather-job-timeout': { type: 'string' },
      async: { type: 'boolean' },
      'job-ttl': { type: 'string' },
      verbose: { type: 'boolean', short: 'v' },
      'hide-timeout': { type: 'boolean' },
      'show-timeout': { type: 'boolean' },
      'show-jid': { type: 'boolean' },
      summary: { type: 'boolean' },
      'config-dir': { type: 'string', short: 'c', default: DEFAULT_CONFIG_DIR },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  const chosen = (Object.keys(TARGET_FLAGS) as (keyof typeof TARGET_FLAGS)[]).filter((flag) => values[flag]);
  if (chosen.length > 1) throw new UsageError(`only one targeting option may be given (got ${chosen.map((f) => '--' + f).join(', ')})`);
  const [tgt, fun, ...args] = positionals;
  if (tgt === undefined) throw new UsageError('Cannot execute command without defining a target.');
  if (fun === undefined) throw new UsageError('Incomplete options passed.');
  const number = (name: string, value: string | undefined): number | undefined => {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0) throw new UsageError(`--${name} must be a number of seconds, got '${value}'`);
    return n;
  };
  const indent = values['out-indent'];
  if (indent !== undefined && !/^-?\d+$/.test(indent)) throw new UsageError(`--out-indent must be an integer, got '${indent}'`);
  return {
    configDir: values['config-dir']!,
    tgt,
    tgtType: chosen[0] ? TARGET_FLAGS[chosen[0]] : 'glob',
    fun,
    args,
    out: values.out ?? values.output,
    outIndent: indent === undefined ? undefined : Number(indent),
    static: values.static ?? false,
    color: values['force-color'] ? true : values['no-color'] ? false : process.stdout.isTTY === true,
    timeout: number('timeout', values.timeout),
    gatherJobTimeout: number('gather-job-timeout', values['gather-job-timeout']),
    async: values.async ?? false,
    jobTtl: number('job-ttl', values['job-ttl']),
    verbose: values.verbose ?? false,
    hideTimeout: (values['hide-timeout'] ?? false) && !values['show-timeout'],
    showJid: values['show-jid'] ?? false,
    summary: values.summary ?? false,
    delimiter: values.delimiter,
  };
}
