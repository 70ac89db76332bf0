import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from './errors.js';
import { createLogger, LOG_LEVELS, type Logger, type LogLevel } from './log.js';

/** What `saltmq-master` and `saltmq-minion` share on their command line: `-c`, `-l`, `-h`. */
export interface ServiceArgs {
  configDir: string;
  logLevel: LogLevel | undefined;
}

/**
 * Parses a daemon's arguments; prints the usage or the mistake itself and returns the exit code
 * instead of arguments when the program should stop.
 */
export function parseServiceArgs(program: string, usage: string, argv: string[]): ServiceArgs | number {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        'config-dir': { type: 'string', short: 'c', default: '/etc/saltmq' },
        'log-level': { type: 'string', short: 'l' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    process.stderr.write(`${usage}\n\n${program}: error: ${(error as Error).message}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(usage + '\n');
    return 0;
  }
  const level = values['log-level'] as LogLevel | undefined;
  if (level && !LOG_LEVELS.includes(level)) {
    process.stderr.write(`${program}: unknown log level '${level}'; use one of ${LOG_LEVELS.join(', ')}\n`);
    return 2;
  }
  return { configDir: values['config-dir']!, logLevel: level };
}

/**
 * Loads a daemon's config with a boot logger; a ConfigError is printed (file, option, problem) and
 * becomes exit code 2.
 */
export async function loadServiceConfig<C>(program: string, args: ServiceArgs, load: (dir: string, log: Logger) => Promise<C>): Promise<C | number> {
  const bootLog = createLogger({ name: program, level: args.logLevel ?? 'warning' });
  try {
    return await load(args.configDir, bootLog);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${program}: invalid configuration: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

/** The daemon's logger: stderr plus log_file when its directory can be made. */
export function openServiceLog(program: string, level: LogLevel, logFile: string): Logger {
  let file: string | undefined = logFile;
  try {
    mkdirSync(dirname(logFile), { recursive: true, mode: 0o700 });
  } catch {
    file = undefined;
  }
  const log = createLogger({ name: program, level, ...(file ? { file } : {}) });
  if (!file) log.warn('log file directory cannot be made; logging to stderr only', { log_file: logFile });
  return log;
}
