/** What every process the bench starts gets on top of its own settings (set once from the options). */
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const NODELAY_PRELOAD = pathToFileURL(join(dirname(fileURLToPath(import.meta.url)), 'nodelay.mjs')).href;

export const childNodeArgs: string[] = [];

/** Extra options for every master the phases start (`--master-opt`), set once from the options. */
export const extraMasterConfig: Record<string, unknown> = {};

/** `--nodelay`: TCP_NODELAY on every socket of every bench process, the master's included. */
export async function enableNoDelay(): Promise<void> {
  childNodeArgs.push('--import', NODELAY_PRELOAD);
  await import(NODELAY_PRELOAD);
}
