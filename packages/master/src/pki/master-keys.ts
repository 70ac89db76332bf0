import { randomBytes } from 'node:crypto';
import { chmod, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureDir, generateKeyPair, makeSelfSignedCert, pemFingerprint, writeFileAtomic, type Logger } from '@saltmq/common';

/** The master's identity: its RSA key pair, the TLS certificate carrying it, and the admin credential. */
export interface MasterIdentity {
  privatePem: string;
  publicPem: string;
  certPem: string;
  /** Salt's pem_finger of master.pub: what minions put in master_finger */
  fingerprint: string;
  /** the secret the CLIs present; only the master's user can read the file */
  adminToken: string;
}

export const masterFiles = (pkiDir: string) => ({
  privateKey: join(pkiDir, 'master.pem'),
  publicKey: join(pkiDir, 'master.pub'),
  cert: join(pkiDir, 'master.crt'),
  adminToken: join(pkiDir, 'admin.token'),
});

async function readOptional(path: string): Promise<string | undefined> {
  return readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
}

/** Loads the master's keys, making whatever is missing on first start. */
export async function loadOrCreateIdentity(pkiDir: string, keysize: number, log: Logger): Promise<MasterIdentity> {
  await ensureDir(pkiDir, 0o700);
  const files = masterFiles(pkiDir);
  let privatePem = await readOptional(files.privateKey);
  let publicPem = await readOptional(files.publicKey);
  if (privatePem === undefined) {
    log.info('generating the master key pair', { keysize, file: files.privateKey });
    const pair = await generateKeyPair(keysize);
    await writeFileAtomic(files.privateKey, pair.privatePem, 0o600);
    await writeFileAtomic(files.publicKey, pair.publicPem, 0o644);
    privatePem = pair.privatePem;
    publicPem = pair.publicPem;
  } else if (publicPem === undefined) {
    throw new Error(`${files.publicKey} is missing while ${files.privateKey} exists; restore it or remove both to make a new identity`);
  }
  await chmod(files.privateKey, 0o600);
  let certPem = await readOptional(files.cert);
  if (certPem === undefined) {
    certPem = makeSelfSignedCert(privatePem, publicPem);
    await writeFileAtomic(files.cert, certPem, 0o644);
  }
  let adminToken = (await readOptional(files.adminToken))?.trim();
  if (!adminToken) {
    adminToken = randomBytes(32).toString('base64url');
    await writeFileAtomic(files.adminToken, adminToken + '\n', 0o600);
  }
  await chmod(files.adminToken, 0o600);
  return { privatePem, publicPem, certPem, fingerprint: pemFingerprint(publicPem), adminToken };
}

/** What a CLI on the master host needs to reach the master as admin. */
export async function readAdminCredentials(pkiDir: string): Promise<{ certPem: string; adminToken: string }> {
  const files = masterFiles(pkiDir);
  const [certPem, token] = await Promise.all([readFile(files.cert, 'utf8'), readFile(files.adminToken, 'utf8')]);
  return { certPem, adminToken: token.trim() };
}
