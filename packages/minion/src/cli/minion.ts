#!/usr/bin/env node
import { BadIdError, LOG_LEVELS, loadServiceConfig, openServiceLog, parseServiceArgs } from '@saltmq/common';
import { loadMinionConfig } from '../config.js';
import { startMinion } from '../minion.js';

const PROGRAM = 'saltmq-minion';
const USAGE = `Usage: saltmq-minion [-c CONFIG_DIR] [-l LOG_LEVEL]

Runs the saltmq minion agent: it makes its key pair on first start, asks the master to accept it,
then runs the jobs the master publishes. It reconnects by itself whenever the master goes away.

  -c, --config-dir DIR   directory holding the 'minion' file and minion.d/ (default /etc/saltmq)
  -l, --log-level LEVEL  one of ${LOG_LEVELS.join(', ')} (overrides log_level)
  -h, --help             show this help

Exit codes: 0 stopped, 2 bad configuration or id, 42 master fingerprint mismatch, 77 key rejected.`;

async function main(): Promise<number> {
  const args = parseServiceArgs(PROGRAM, USAGE, process.argv.slice(2));
  if (typeof args === 'number') return args;
  const config = await loadServiceConfig(PROGRAM, args, loadMinionConfig);
  if (typeof config === 'number') return config;
  const log = openServiceLog(PROGRAM, args.logLevel ?? config.log_level, config.log_file);
  let minion;
  try {
    minion = await startMinion(config, log);
  } catch (error) {
    if (error instanceof BadIdError) {
      process.stderr.write(`${PROGRAM}: ${error.message}\n`);
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
    process.stderr.write(`${PROGRAM}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
