import { ConfigError, SILENT_LOGGER } from '@saltmq/common';
import { loadMasterConfig, type MasterConfig } from '../config.js';

/** Salt's default config directory, moved: saltmq's files live in /etc/saltmq. */
export const DEFAULT_CONFIG_DIR = '/etc/saltmq';

/** Reads the master config for a CLI; a bad config is reported and ends the CLI with exit 2. */
export async function cliConfig(program: string, configDir: string): Promise<Readonly<MasterConfig>> {
  try {
    return await loadMasterConfig(configDir, SILENT_LOGGER);
  } catch (error) {
    if (error instanceof ConfigError) fail(program, `invalid configuration: ${error.message}`, 2);
    throw error;
  }
}

/** Prints an error the way Salt's CLIs do and exits. */
export function fail(program: string, message: string, code = 1): never {
  process.stderr.write(`${program}: ${message}\n`);
  process.exit(code);
}

/** Runs a CLI's main, turning unexpected errors into one line and exit 1. */
export function runCli(program: string, main: () => Promise<number>): void {
  main().then(
    (code) => {
      process.exitCode = code;
      // let stdout drain before exiting; sockets are closed by then
      setImmediate(() => process.exit(code));
    },
    (error: unknown) => {
      process.stderr.write(`${program}: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
