import { createHash, createPublicKey, KeyObject } from 'node:crypto';
import forge from 'node-forge';

/** A key pair in Salt's on-disk formats: PKCS#1 private key, SPKI public key, LF line ends. */
export interface KeyPairPem {
  privatePem: string;
  publicPem: string;
}

/** Salt's minimum and default key size. */
export const DEFAULT_KEYSIZE = 2048;

/**
 * Makes an RSA key pair (e = 65537) with node-forge, which hands the work to Node's native generator
 * when it can, so this takes a few hundred milliseconds rather than seconds.
 */
export function generateKeyPair(bits: number = DEFAULT_KEYSIZE): Promise<KeyPairPem> {
  return new Promise((resolve, reject) => {
    forge.pki.rsa.generateKeyPair({ bits, e: 0x10001 }, (error, pair) => {
      if (error) return reject(error);
      resolve({ privatePem: toLf(forge.pki.privateKeyToPem(pair.privateKey)), publicPem: toLf(forge.pki.publicKeyToPem(pair.publicKey)) });
    });
  });
}

/** forge writes CRLF; Salt's files use LF. */
export function toLf(pem: string): string {
  return pem.replace(/\r\n/g, '\n');
}

/**
 * Checks that a text is one RSA public key in PEM and returns it normalised (LF, one trailing newline).
 * Throws with a reason for garbage, so a bad key never reaches the key store.
 */
export function normalizePublicPem(pem: unknown): string {
  if (typeof pem !== 'string' || pem.length > 16_384) throw new TypeError('a public key must be a PEM text of at most 16 KiB');
  const text = toLf(pem).trim() + '\n';
  if (!/^-----BEGIN (RSA )?PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+-----END (RSA )?PUBLIC KEY-----\n$/.test(text)) {
    throw new TypeError('the public key is not a PEM block');
  }
  const key = createPublicKey(text);
  if (key.asymmetricKeyType !== 'rsa') throw new TypeError(`the public key is ${key.asymmetricKeyType ?? 'unknown'}, not RSA`);
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < 2048) throw new TypeError(`the public key has ${bits} bits; at least 2048 are required`);
  return text;
}

/**
 * Salt's `pem_finger`: drop blank lines and the BEGIN/END lines, keep each remaining line's newline,
 * hash with sha256, and write the hex digest as colon-separated pairs.
 */
export function pemFingerprint(pem: string, hashType = 'sha256'): string {
  const lines = toLf(pem).split('\n').filter((line) => line.trim() !== '');
  const body = lines.slice(1, -1).map((line) => line + '\n').join('');
  const hex = createHash(hashType).update(body).digest('hex');
  return hex.match(/../g)!.join(':');
}

/** The SPKI PEM of any public key Node can read (for example a TLS peer certificate's key). */
export function publicKeyToPem(key: Parameters<typeof createPublicKey>[0]): string {
  // createPublicKey accepts a private KeyObject (to derive from) but refuses a public one
  const object = key instanceof KeyObject && key.type === 'public' ? key : createPublicKey(key);
  return object.export({ type: 'spki', format: 'pem' }).toString();
}

/** Compares two public keys by content, ignoring line ends and surrounding white space (Salt strips). */
export function samePublicKey(a: string, b: string): boolean {
  return toLf(a).trim() === toLf(b).trim();
}
