import { appendFileSync, openSync, writeSync } from 'node:fs';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warning' | 'error' | 'critical' | 'quiet';
export const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warning', 'error', 'critical', 'quiet'];
const RANK: Record<LogLevel, number> = { trace: 0, debug: 1, info: 2, warning: 3, error: 4, critical: 5, quiet: 9 };

export type LogMeta = Record<string, unknown>;

/** The one logging interface: library code receives a Logger and never calls console.*. */
export interface Logger {
  debug(msg: string, meta?: LogMeta): void;
  info(msg: string, meta?: LogMeta): void;
  warn(msg: string, meta?: LogMeta): void;
  error(msg: string, meta?: LogMeta): void;
  child(bindings: LogMeta): Logger;
}

export interface LoggerOptions {
  name: string;
  /** Salt's level names; 'warning' is Salt's spelling. @default 'warning' */
  level?: LogLevel;
  /** Also append every line to this file (Salt's log_file). */
  file?: string;
  /**
   * 'json' for daemons (one object per line, for machines and tests); 'console' for a command a person
   * runs, in Salt's console format: `[ERROR   ] message (key=value, ...)`. The file always gets JSON.
   * @default 'json'
   */
  format?: 'json' | 'console';
}

/** Salt's console line: `[%(levelname)-8s] %(message)s`, with the metadata after the message. */
function consoleLine(level: LogLevel, msg: string, meta: LogMeta): string {
  const extra = Object.entries(meta)
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value, errorsAsText)}`)
    .join(', ');
  return `[${level.toUpperCase().padEnd(8)}] ${msg}${extra ? ` (${extra})` : ''}\n`;
}

/**
 * Writes one JSON object per line to stderr (and the log file): machines read it, and tests wait on
 * fixed `msg` phrases such as 'master ready'. Writes are synchronous so a crash loses no line.
 */
export function createLogger(options: LoggerOptions): Logger {
  const threshold = RANK[options.level ?? 'warning'];
  const fd = options.file ? openSync(options.file, 'a', 0o600) : undefined;
  const emit = (level: LogLevel, bindings: LogMeta, msg: string, meta?: LogMeta) => {
    if (RANK[level] < threshold) return;
    const line = JSON.stringify({ time: new Date().toISOString(), level, name: options.name, msg, ...bindings, ...meta }, errorsAsText) + '\n';
    try {
      writeSync(2, options.format === 'console' ? consoleLine(level, msg, { ...bindings, ...meta }) : line);
    } catch {
      // stderr closed (a daemon whose terminal went away): the log file still gets the line
    }
    if (fd !== undefined) appendFileSync(fd, line);
  };
  const make = (bindings: LogMeta): Logger => ({
    debug: (msg, meta) => emit('debug', bindings, msg, meta),
    info: (msg, meta) => emit('info', bindings, msg, meta),
    warn: (msg, meta) => emit('warning', bindings, msg, meta),
    error: (msg, meta) => emit('error', bindings, msg, meta),
    child: (more) => make({ ...bindings, ...more }),
  });
  return make({});
}

/** A logger that drops everything: for CLIs that only print results. */
export const SILENT_LOGGER: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return SILENT_LOGGER;
  },
};

function errorsAsText(_key: string, value: unknown): unknown {
  if (value instanceof Error) return value.message;
  if (typeof value === 'bigint') return value.toString();
  return value;
}
