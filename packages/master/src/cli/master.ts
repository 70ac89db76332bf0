#!/usr/bin/env node
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, createLogger, LOG_LEVELS, type LogLevel } from '@saltmq/common';
import { loadMasterConfig } from '../config.js';
import { startMaster } from '../master.js';
import { stopOnSignals } from './signals.js';

const USAGE = `Usage: saltmq-master [-c CONFIG_DIR] [-l LOG_LEVEL]

Runs the saltmq master: the embedded MQTT broker (TLS), key management, jobs and the reactor.

  -c, --config-dir DIR   directory holding the 'master' file and master.d/ (default /etc/saltmq)
  -l, --log-level LEVEL  one of ${LOG_LEVELS.join(', ')} (overrides log_level)
  -h, --help             show this help`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      'config-dir': { type: 'string', short: 'c', default: '/etc/saltmq' },
      'log-level': { type: 'string', short: 'l' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  const cliLevel = values['log-level'] as LogLevel | undefined;
  if (cliLevel && !LOG_LEVELS.includes(cliLevel)) {
    process.stderr.write(`saltmq-master: unknown log level '${cliLevel}'; use one of ${LOG_LEVELS.join(', ')}\n`);
    return 2;
  }
  const bootLog = createLogger({ name: 'saltmq-master', level: cliLevel ?? 'warning' });
  let config;
  try {
    config = await loadMasterConfig(values['config-dir'], bootLog);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`saltmq-master: invalid configuration: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  let logFile: string | undefined = config.log_file;
  try {
    mkdirSync(dirname(logFile), { recursive: true, mode: 0o700 });
  } catch {
    bootLog.warn('log file directory cannot be made; logging to stderr only', { log_file: logFile });
    logFile = undefined;
  }
  const log = createLogger({ name: 'saltmq-master', level: cliLevel ?? config.log_level, ...(logFile ? { file: logFile } : {}) });
  const master = await startMaster(config, log);
  process.on('SIGHUP', () => {
    log.info('reloading the configuration', { signal: 'SIGHUP' });
    master.reload().catch((error: unknown) => log.error('reload failed; the previous configuration stays', { error }));
  });
  await stopOnSignals(() => master.close(), log);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`saltmq-master: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
