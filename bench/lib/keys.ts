/**
 * Minion key pairs for the simulated fleet, made once and kept in bench/.keys/ (gitignored): RSA 2048
 * generation costs about 0.3 s of CPU per key, so 5,000 keys are 25 CPU-minutes the first time and
 * nothing afterwards. The ids are not in the cache; a key proves whichever id signs with it.
 */
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { availableParallelism } from 'node:os';
import { generateKeyPair, type KeyPairPem } from '@saltmq/common';

export const KEY_CACHE = join(dirname(fileURLToPath(import.meta.url)), '..', '.keys', 'rsa2048.ndjson');

async function readCache(): Promise<KeyPairPem[]> {
  const text = await readFile(KEY_CACHE, 'utf8').catch(() => '');
  const keys: KeyPairPem[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      const pair = JSON.parse(line) as KeyPairPem;
      if (pair.privatePem && pair.publicPem) keys.push(pair);
    } catch {
      // a line torn by an interrupted run: skipped, and a new key is made in its place
    }
  }
  return keys;
}

/** At least `count` key pairs, generating (and caching) the missing ones. */
export async function ensureKeys(count: number, progress: (done: number, total: number) => void): Promise<KeyPairPem[]> {
  const keys = await readCache();
  if (keys.length >= count) return keys.slice(0, count);
  await mkdir(dirname(KEY_CACHE), { recursive: true });
  const missing = count - keys.length;
  let made = 0;
  // Node generates RSA keys on its thread pool: one job per core keeps every core busy
  const lanes = Math.max(1, availableParallelism());
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (keys.length < count) {
        const pair = await generateKeyPair(2048);
        if (keys.length >= count) break;
        keys.push(pair);
        // appended one line at a time so an interrupted run keeps what it made
        await appendFile(KEY_CACHE, JSON.stringify(pair) + '\n', { mode: 0o600 });
        made++;
        if (made % 25 === 0 || made === missing) progress(made, missing);
      }
    }),
  );
  return keys.slice(0, count);
}
