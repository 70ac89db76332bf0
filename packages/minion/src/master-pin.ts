import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { connect } from 'node:tls';
import { CodedError, pemFingerprint, publicKeyToPem, samePublicKey, writeFileAtomic, type Logger } from '@saltmq/common';
import { minionFiles } from './keys.js';

/** The master's key as this minion trusts it, and the certificate that carries it. */
export interface MasterPin {
  certPem: string;
  publicPem: string;
  fingerprint: string;
}

/** The master's key is not the one `master_finger` names: Salt's minion exits 42. */
export class MasterFingerError extends CodedError {
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super(
      'ERR_MASTER_FINGER',
      `The specified fingerprint in the master configuration file:\n${expected}\nDoes not match the authenticating master's key:\n${actual}\nVerify that the configured fingerprint matches the fingerprint of the correct master and that this minion is not subject to a man-in-the-middle attack.`,
    );
  }
}

/** The master now presents another key than the one cached on first contact. */
export class MasterKeyChangedError extends CodedError {
  constructor(readonly file: string) {
    super('ERR_AUTH_FAILED', `The master key has changed, the salt master could have been subverted, verify salt master's public key (cached in ${file})`);
  }
}

function checkFinger(expected: string, publicPem: string): string {
  const actual = pemFingerprint(publicPem);
  if (expected && expected.toLowerCase() !== actual) throw new MasterFingerError(expected, actual);
  return actual;
}

/** The cached pin from an earlier contact, checked against master_finger. */
export async function cachedPin(pkiDir: string, masterFinger: string): Promise<MasterPin | undefined> {
  const files = minionFiles(pkiDir);
  const [certPem, publicPem] = await Promise.all([readFile(files.masterCert, 'utf8').catch(() => undefined), readFile(files.masterKey, 'utf8').catch(() => undefined)]);
  if (certPem === undefined || publicPem === undefined) return undefined;
  return { certPem, publicPem, fingerprint: checkFinger(masterFinger, publicPem) };
}

/**
 * First contact (trust on first use, as Salt's minion caches minion_master.pub): read the master's
 * certificate without verifying it, check its key against master_finger, and against the key cached
 * earlier if there is one, then cache both. Nothing secret is sent on this connection.
 */
export async function probeMaster(host: string, port: number, pkiDir: string, masterFinger: string, log: Logger): Promise<MasterPin> {
  const der = await new Promise<Buffer>((resolve, reject) => {
    const socket = connect({ host, port, rejectUnauthorized: false, timeout: 10_000 }, () => {
      const raw = socket.getPeerCertificate().raw;
      socket.destroy();
      raw ? resolve(raw) : reject(new Error('the master presented no certificate'));
    });
    socket.once('timeout', () => socket.destroy(new Error('timed out reading the master certificate')));
    socket.once('error', reject);
  });
  const cert = new X509Certificate(der);
  const publicPem = publicKeyToPem(cert.publicKey);
  const fingerprint = checkFinger(masterFinger, publicPem);
  const files = minionFiles(pkiDir);
  const cached = await readFile(files.masterKey, 'utf8').catch(() => undefined);
  if (cached !== undefined && !samePublicKey(cached, publicPem)) throw new MasterKeyChangedError(files.masterKey);
  if (cached === undefined) log.info('caching the master key on first contact', { fingerprint });
  await writeFileAtomic(files.masterKey, publicPem, 0o644);
  await writeFileAtomic(files.masterCert, cert.toString(), 0o644);
  return { certPem: cert.toString(), publicPem, fingerprint };
}
