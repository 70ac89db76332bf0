import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import forge from 'node-forge';
import { toLf } from './keys.js';

/**
 * Makes the master's self-signed TLS certificate from its RSA key. Minions pin the key inside it (the
 * key whose fingerprint `master_finger` names), so the certificate is only a carrier: it lives ten
 * years and names the loopback addresses and this host so stock clients such as mosquitto_sub can
 * verify it with `--cafile`.
 */
export function makeSelfSignedCert(privatePem: string, publicPem: string, extraNames: readonly string[] = []): string {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicPem);
  cert.serialNumber = '01' + randomBytes(15).toString('hex');
  const now = new Date();
  cert.validity.notBefore = new Date(now.getTime() - 24 * 3600 * 1000);
  cert.validity.notAfter = new Date(now.getTime() + 10 * 365 * 24 * 3600 * 1000);
  const subject = [{ name: 'commonName', value: 'saltmq-master' }, { name: 'organizationName', value: 'saltmq' }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  const dnsNames = new Set(['localhost', hostname(), ...extraNames.filter((n) => !isIp(n))]);
  const ips = new Set(['127.0.0.1', '::1', ...extraNames.filter(isIp)]);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [...[...dnsNames].map((value) => ({ type: 2, value })), ...[...ips].map((ip) => ({ type: 7, ip }))],
    },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(privatePem), forge.md.sha256.create());
  return toLf(forge.pki.certificateToPem(cert));
}

function isIp(name: string): boolean {
  return /^\d+\.\d+\.\d+\.\d+$/.test(name) || name.includes(':');
}
