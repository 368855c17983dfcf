// A self-signed TLS certificate and key for a LAN server (`parley cert`): the key from Node's crypto, the X.509 certificate built and signed with node-forge.
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  X509Certificate,
} from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';

export interface MadeCertificate {
  /** The certificate, PEM. */
  cert: string;
  /** Its private key, PKCS#8 PEM, unencrypted. */
  key: string;
  /** SHA-256 of the certificate, colon-separated upper-case hex (as `openssl x509 -fingerprint`). */
  fingerprint: string;
}

/**
 * A certificate for `names` (DNS names and IP addresses, the first also its common name), valid
 * from an hour ago (clocks on a LAN drift) for `days` days. RSA 2048 with SHA-256: what every
 * TLS client accepts. With `keyPem`, the certificate is for that key (a renewal that keeps its
 * key, as `certbot --reuse-key` does).
 */
export function makeCertificate(
  names: readonly string[],
  days: number,
  now = new Date(),
  keyPem?: string,
): MadeCertificate {
  const privateKey =
    keyPem === undefined
      ? generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
      : createPrivateKey(keyPem);
  const key = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const publicPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicPem);
  // A positive serial (the top bit clear) of 128 random bits, as RFC 5280 §4.1.2.2 asks.
  const serial = randomBytes(16);
  serial[0] &= 0x7f;
  cert.serialNumber = serial.toString('hex');
  cert.validity.notBefore = new Date(now.getTime() - 3600_000);
  cert.validity.notAfter = new Date(now.getTime() + days * 86_400_000);
  const subject = [
    { name: 'commonName', value: names[0] },
    { name: 'organizationName', value: 'parley' },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      // type 7 is an IP address, type 2 a DNS name (RFC 5280 §4.2.1.6)
      altNames: names.map((n) => (isIP(n) !== 0 ? { type: 7, ip: n } : { type: 2, value: n })),
    },
    { name: 'subjectKeyIdentifier' },
  ]);
  // The key's own PEM converted for forge's signer; it never leaves this process.
  const signer = forge.pki.privateKeyFromPem(
    privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(),
  );
  cert.sign(signer, forge.md.sha256.create());
  const pem = forge.pki.certificateToPem(cert);
  return { cert: pem, key, fingerprint: new X509Certificate(pem).fingerprint256 };
}
