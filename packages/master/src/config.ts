import { join } from 'node:path';
import { z } from 'zod';
import { LOG_LEVELS, readConfigDir, underRoot, validateConfig, type Logger, type LogLevel } from '@saltmq/common';

/**
 * The master's options, with Salt's names, so a Salt user's `master` file loads unchanged. Options
 * saltmq does not know are warned about and ignored; known options with bad values stop the start.
 */
const logLevel = z.enum(LOG_LEVELS as [LogLevel, ...LogLevel[]]);
const path = z.string().min(1, 'must be a non-empty path');
const seconds = z.number().min(0, 'must be zero or more seconds');
const rootsMap = z.record(z.string(), z.array(path, 'must map each environment to a list of directories'));
const reactorEntry = z.record(z.string(), z.union([path, z.array(path)]));

export const MASTER_SCHEMA = z.object({
  /** Address the broker listens on. @default '0.0.0.0' */
  interface: z.string().min(1).default('0.0.0.0'),
  /** The broker's TLS port; 0 asks the OS for a free one. Salt's name is ret_port. @default 4506 */
  port: z.number().int().min(0).max(65535, 'must be 0-65535').optional(),
  ret_port: z.number().int().min(0).max(65535, 'must be 0-65535').optional(),
  /** Every default path lives under it, so a test or a lab runs unprivileged. @default '/' */
  root_dir: path.default('/'),
  pki_dir: path.default('/etc/saltmq/pki/master'),
  cachedir: path.default('/var/cache/saltmq/master'),
  log_file: path.default('/var/log/saltmq/master'),
  log_level: logLevel.default('warning'),
  log_level_logfile: logLevel.optional(),
  /** Accept every new minion key. @default false */
  auto_accept: z.boolean().default(false),
  autosign_file: path.optional(),
  autoreject_file: path.optional(),
  /** Honour group-writable autosign files (Salt's permissive_pki_access). @default false */
  permissive_pki_access: z.boolean().default(false),
  /** Refuse new minions past this many accepted keys; 0 is no limit. @default 0 */
  max_minions: z.number().int().min(0).default(0),
  file_roots: rootsMap.optional(),
  pillar_roots: rootsMap.optional(),
  reactor: z.union([z.array(reactorEntry), path]).default([]),
  /** Reactions in flight at once. saltmq runs them as async tasks, not threads, so the default is higher than Salt's 10 (which caps an I/O-bound reactor at a few thousand a second). @default 200 */
  reactor_worker_threads: z.number().int().min(1).max(10000).default(200),
  reactor_worker_hwm: z.number().int().min(1).default(10000),
  renderer: z.string().default('jinja|yaml'),
  /** How long a job waits for an offline minion before it expires. saltmq's own. @default 3600 */
  job_ttl: seconds.default(3600),
  keep_jobs_seconds: seconds.default(86400),
  keep_jobs: seconds.optional(),
  keep_events_seconds: seconds.default(86400),
  timeout: seconds.default(5),
  gather_job_timeout: seconds.default(10),
  state_output: z.enum(['full', 'terse', 'mixed', 'changes', 'full_id', 'terse_id', 'mixed_id', 'changes_id']).default('full'),
  state_verbose: z.boolean().default(true),
  /** Largest MQTT packet a client may send after CONNECT, in bytes. saltmq's own. @default 1048576 */
  max_packet_size: z.number().int().min(4096).max(268_435_455).default(1_048_576),
  /** Salt's max_event_size: event data over it is trimmed. @default 1048576 */
  max_event_size: z.number().int().min(1024).default(1_048_576),
  /** Connections a single address may open per second before preConnect refuses it. @default 50 */
  connect_rate_per_ip: z.number().int().min(1).default(50),
  /** fire salt/auth events (Salt's auth_events). @default true */
  auth_events: z.boolean().default(true),
  /** Keep firing Salt's legacy `minion_start` tag alongside salt/minion/<id>/start. @default true */
  enable_legacy_startup_events: z.boolean().default(true),
  /** Salt's option, kept for compatibility: saltmq always runs as the user that starts it. */
  user: z.string().optional(),
});

export type MasterOptions = z.infer<typeof MASTER_SCHEMA>;

/** The options with every path resolved under root_dir and every default filled in. */
export interface MasterConfig extends Omit<MasterOptions, 'port' | 'ret_port' | 'file_roots' | 'pillar_roots'> {
  port: number;
  file_roots: Record<string, string[]>;
  pillar_roots: Record<string, string[]>;
  /** the directory the config was read from (`-c`) */
  config_dir: string;
  /** the files that were read, for messages */
  config_files: string[];
}

export async function loadMasterConfig(configDir: string, log: Logger): Promise<Readonly<MasterConfig>> {
  const raw = await readConfigDir(configDir, 'master');
  const options = validateConfig(MASTER_SCHEMA, raw, join(configDir, 'master'), log);
  return resolveMasterConfig(options, configDir, raw.files);
}

export function resolveMasterConfig(options: MasterOptions, configDir: string, files: string[] = []): Readonly<MasterConfig> {
  const root = options.root_dir;
  const { port, ret_port, file_roots, pillar_roots, ...rest } = options;
  const config: MasterConfig = {
    ...rest,
    port: port ?? ret_port ?? 4506,
    pki_dir: underRoot(root, options.pki_dir),
    cachedir: underRoot(root, options.cachedir),
    log_file: underRoot(root, options.log_file),
    file_roots: file_roots ?? { base: [underRoot(root, '/srv/salt')] },
    pillar_roots: pillar_roots ?? { base: [underRoot(root, '/srv/pillar')] },
    config_dir: configDir,
    config_files: files,
  };
  if (options.autosign_file) config.autosign_file = underRoot(root, options.autosign_file);
  if (options.autoreject_file) config.autoreject_file = underRoot(root, options.autoreject_file);
  // Salt: keep_jobs (hours) counts only when keep_jobs_seconds was left at its default
  if (options.keep_jobs !== undefined && options.keep_jobs_seconds === 86400) config.keep_jobs_seconds = options.keep_jobs * 3600;
  return Object.freeze(config);
}
