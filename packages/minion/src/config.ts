import { hostname } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { LOG_LEVELS, readConfigDir, underRoot, validateConfig, type Logger, type LogLevel } from '@saltmq/common';
import { resolveFqdn } from './grains/network.js';

/** The minion's options, with Salt's names. */
const logLevel = z.enum(LOG_LEVELS as [LogLevel, ...LogLevel[]]);
const path = z.string().min(1, 'must be a non-empty path');
const rootsMap = z.record(z.string(), z.array(path, 'must map each environment to a list of directories'));

export const MINION_SCHEMA = z.object({
  /** The master's host name or address. @default 'salt' */
  master: z.string().min(1).default('salt'),
  /** @default 4506 */
  master_port: z.number().int().min(1).max(65535, 'must be 1-65535').default(4506),
  /** @default the host's FQDN (its short name when it has none) */
  id: z.string().min(1).optional(),
  root_dir: path.default('/'),
  pki_dir: path.default('/etc/saltmq/pki/minion'),
  cachedir: path.default('/var/cache/saltmq/minion'),
  log_file: path.default('/var/log/saltmq/minion'),
  log_level: logLevel.default('warning'),
  log_level_logfile: logLevel.optional(),
  /** Salt's pem_finger of the master's public key; a mismatch stops the minion (exit 42). */
  master_finger: z.string().default(''),
  /** Seconds between key requests while pending. @default 10 */
  acceptance_wait_time: z.number().min(0.1).default(10),
  /** Upper bound when the wait grows; 0 keeps it fixed. @default 0 */
  acceptance_wait_time_max: z.number().min(0).default(0),
  /** Keep retrying after a rejection instead of exiting 77. @default false */
  rejected_retry: z.boolean().default(false),
  keysize: z.number().int().min(2048, 'must be at least 2048').max(16384).default(2048),
  grains: z.record(z.string(), z.unknown()).default({}),
  /** First reconnect delay, ms (Salt's recon_default). @default 1000 */
  recon_default: z.number().int().min(10).default(1000),
  /** Longest reconnect delay, ms (Salt's recon_max). @default 30000 */
  recon_max: z.number().int().min(10).default(30000),
  /** Add random jitter to reconnect delays so a fleet does not reconnect in lockstep. @default true */
  recon_randomize: z.boolean().default(true),
  enable_legacy_startup_events: z.boolean().default(true),
  /** Grain names to send with the start event (Salt's start_event_grains). */
  start_event_grains: z.array(z.string()).default([]),
  /** Seconds between MQTT keepalives: a cut link is noticed within 1.5 times this. saltmq's own. @default 30 */
  keepalive: z.number().int().min(1).max(3600).default(30),
  /** Salt's option: the cmd.run shell. @default '/bin/sh' */
  shell: z.string().default('/bin/sh'),
  user: z.string().optional(),
  /** Salt's file_client: 'local' makes saltmq-call masterless, serving file_roots and pillar_roots itself. @default 'remote' */
  file_client: z.enum(['remote', 'local']).default('remote'),
  /** salt:// for a masterless saltmq-call. @default {base: ['/srv/salt']} under root_dir */
  file_roots: rootsMap.optional(),
  /** pillar for a masterless saltmq-call. @default {base: ['/srv/pillar']} under root_dir */
  pillar_roots: rootsMap.optional(),
});

export type MinionOptions = z.infer<typeof MINION_SCHEMA>;

export interface MinionConfig extends Omit<MinionOptions, 'id' | 'file_roots' | 'pillar_roots'> {
  id: string;
  file_roots: Record<string, string[]>;
  pillar_roots: Record<string, string[]>;
  config_dir: string;
}

export async function loadMinionConfig(configDir: string, log: Logger): Promise<Readonly<MinionConfig>> {
  const raw = await readConfigDir(configDir, 'minion');
  const options = validateConfig(MINION_SCHEMA, raw, join(configDir, 'minion'), log);
  // Salt's default id is the host's FQDN (socket.getfqdn)
  return resolveMinionConfig(options.id ? options : { ...options, id: await resolveFqdn() }, configDir);
}

export function resolveMinionConfig(options: MinionOptions, configDir: string): Readonly<MinionConfig> {
  const root = options.root_dir;
  return Object.freeze({
    ...options,
    id: options.id ?? hostname(),
    pki_dir: underRoot(root, options.pki_dir),
    cachedir: underRoot(root, options.cachedir),
    log_file: underRoot(root, options.log_file),
    // as on the master: only the defaults move under root_dir, configured roots are taken as written
    file_roots: options.file_roots ?? { base: [underRoot(root, '/srv/salt')] },
    pillar_roots: options.pillar_roots ?? { base: [underRoot(root, '/srv/pillar')] },
    config_dir: configDir,
  });
}
