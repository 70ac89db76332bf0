import { chmod, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureDir, generateKeyPair, type KeyPairPem, type Logger, writeFileAtomic } from '@saltmq/common';

export const minionFiles = (pkiDir: string) => ({
  privateKey: join(pkiDir, 'minion.pem'),
  publicKey: join(pkiDir, 'minion.pub'),
  /** Salt's cache of the master's public key, written on first contact */
  masterKey: join(pkiDir, 'minion_master.pub'),
  /** the master's TLS certificate as first seen (it carries the pinned key) */
  masterCert: join(pkiDir, 'minion_master.crt'),
});

/** Loads the minion's key pair, making it on first start (minion.pem 0600, Salt's PEM formats). */
export async function loadOrCreateMinionKeys(pkiDir: string, keysize: number, log: Logger): Promise<KeyPairPem> {
  await ensureDir(pkiDir, 0o700);
  const files = minionFiles(pkiDir);
  const privatePem = await readFile(files.privateKey, 'utf8').catch(() => undefined);
  const publicPem = await readFile(files.publicKey, 'utf8').catch(() => undefined);
  if (privatePem !== undefined && publicPem !== undefined) {
    await chmod(files.privateKey, 0o600);
    return { privatePem, publicPem };
  }
  log.info('generating the minion key pair', { keysize, file: files.privateKey });
  const pair = await generateKeyPair(keysize);
  await writeFileAtomic(files.privateKey, pair.privatePem, 0o600);
  await writeFileAtomic(files.publicKey, pair.publicPem, 0o644);
  return pair;
}
