import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

/**
 * Per-message signatures use node:crypto: RSA-SHA256 signing costs under a millisecond there, against
 * about 39 ms in node-forge, and verification about 32 µs.
 */
const privateKeys = new Map<string, KeyObject>();
const publicKeys = new Map<string, KeyObject>();

function privateKey(pem: string): KeyObject {
  let key = privateKeys.get(pem);
  if (!key) {
    key = createPrivateKey(pem);
    privateKeys.set(pem, key);
  }
  return key;
}

function publicKey(pem: string): KeyObject {
  let key = publicKeys.get(pem);
  if (!key) {
    if (publicKeys.size > 50_000) publicKeys.clear();
    key = createPublicKey(pem);
    publicKeys.set(pem, key);
  }
  return key;
}

/** RSA-SHA256 signature (PKCS#1 v1.5), base64. */
export function signText(privatePem: string, text: string): string {
  return sign('sha256', Buffer.from(text), privateKey(privatePem)).toString('base64');
}

/** True when `signature` is a valid RSA-SHA256 signature of `text` by the key; false for any garbage. */
export function verifyText(publicPem: string, text: string, signature: string): boolean {
  try {
    return verify('sha256', Buffer.from(text), publicKey(publicPem), Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}
