#!/usr/bin/env node
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { BadIdError, ConfigError, createLogger, LOG_LEVELS, type LogLevel } from '@saltmq/common';
import { loadMinionConfig } from '../config.js';
import { startMinion } from '../minion.js';

const USAGE = `Usage: saltmq-minion [-c CONFIG_DIR] [-l LOG_LEVEL]

Runs the saltmq minion agent: it makes its key pair on first start, asks the master to accept it,
then runs the jobs the master publishes. It reconnects by itself whenever the master goes away.

  -c, --config-dir DIR   directory holding the 'minion' file and minion.d/ (default /etc/saltmq)
  -l, --log-level LEVEL  one of ${LOG_LEVELS.join(', ')} (overrides log_level)
  -h, --help             show this help

Exit codes: 0 stopped, 2 bad configuration or id, 42 master fingerprint mismatch, 77 key rejected.`;

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
    process.stderr.write(`saltmq-minion: unknown log level '${cliLevel}'; use one of ${LOG_LEVELS.join(', ')}\n`);
    return 2;
  }
  const bootLog = createLogger({ name: 'saltmq-minion', level: cliLevel ?? 'warning' });
  let config;
  try {
    config = await loadMinionConfig(values['config-dir'], bootLog);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`saltmq-minion: invalid configuration: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  let logFile: string | undefined = config.log_file;
  try {
    mkdirSync(dirname(logFile), { recursive: true, mode: 0o700 });
  } catch {
    logFile = undefined;
  }
  const log = createLogger({ name: 'saltmq-minion', level: cliLevel ?? config.log_level, ...(logFile ? { file: logFile } : {}) });
  let minion;
  try {
    minion = await startMinion(config, log);
  } catch (error) {
    if (error instanceof BadIdError) {
      process.stderr.write(`saltmq-minion: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  let stopping = false;
  const onSignal = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('stopping', { signal });
    setTimeout(() => process.exit(0), 5000).unref();
    void minion.stop();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return minion.done;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`saltmq-minion: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
