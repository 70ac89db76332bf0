#!/usr/bin/env node
import { LOG_LEVELS, loadServiceConfig, openServiceLog, parseServiceArgs } from '@saltmq/common';
import { loadMasterConfig } from '../config.js';
import { startMaster } from '../master.js';
import { stopOnSignals } from './signals.js';

const PROGRAM = 'saltmq-master';
const USAGE = `Usage: saltmq-master [-c CONFIG_DIR] [-l LOG_LEVEL]

Runs the saltmq master: the embedded MQTT broker (TLS), key management, jobs and the reactor.

  -c, --config-dir DIR   directory holding the 'master' file and master.d/ (default /etc/saltmq)
  -l, --log-level LEVEL  one of ${LOG_LEVELS.join(', ')} (overrides log_level)
  -h, --help             show this help

Signals: SIGTERM/SIGINT stop it cleanly; SIGHUP re-reads the reactor map; SIGUSR2 logs memory use.`;

async function main(): Promise<number> {
  const args = parseServiceArgs(PROGRAM, USAGE, process.argv.slice(2));
  if (typeof args === 'number') return args;
  const config = await loadServiceConfig(PROGRAM, args, loadMasterConfig);
  if (typeof config === 'number') return config;
  const log = openServiceLog(PROGRAM, args.logLevel ?? config.log_level, config.log_file);
  const master = await startMaster(config, log);
  process.on('SIGHUP', () => {
    log.info('reloading the configuration', { signal: 'SIGHUP' });
    master.reload().catch((error: unknown) => log.error('reload failed; the previous configuration stays', { error }));
  });
  // an operator's memory check: with `node --expose-gc` the garbage is collected first, so the
  // numbers show what the master really holds
  process.on('SIGUSR2', () => {
    (globalThis as { gc?: () => void }).gc?.();
    const m = process.memoryUsage();
    log.warn('memory report', { rss_mb: +(m.rss / 2 ** 20).toFixed(1), heap_used_mb: +(m.heapUsed / 2 ** 20).toFixed(1), external_mb: +(m.external / 2 ** 20).toFixed(1) });
  });
  await stopOnSignals(() => master.close(), log);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${PROGRAM}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
