import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';

/**
 * A self-signed certificate for the HTTPS fleet simulator, made at start and kept in
 * memory only (key and certificate come back on openssl's stdout; nothing is written to
 * disk). node:crypto makes keys but cannot sign an X.509 certificate, so this uses the
 * `openssl` CLI (Debian's openssl package; scripts/ensure-test-tools.sh and
 * ensure-demo-tools.sh install it where it is missing) rather than a JavaScript PKI
 * dependency. P-256 keeps it fast (about 10 ms).
 */
export interface SelfSignedCertificate {
  keyPem: string;
  certPem: string;
  /** As Proxmox shows it and a poller pins it: `AA:BB:...` (SHA-256). */
  fingerprint256: string;
}

export class CertificateToolError extends Error {
  override readonly name = 'CertificateToolError';
}

export function makeSelfSignedCertificate(
  commonName = 'localhost',
  altNames = ['DNS:localhost', 'IP:127.0.0.1', 'IP:::1'],
): SelfSignedCertificate {
  let output: string;
  try {
    output = execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        '-',
        '-out',
        '-',
        '-days',
        '7',
        '-subj',
        `/CN=${commonName}`,
        '-addext',
        `subjectAltName=${altNames.join(',')}`,
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
  } catch (error) {
    throw new CertificateToolError(
      `cannot make the simulator's self-signed certificate with openssl (install it: apt-get install -y openssl): ${(error as Error).message}`,
    );
  }
  const keyPem = /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----\n?/.exec(output)?.[0];
  const certPem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/.exec(output)?.[0];
  if (keyPem === undefined || certPem === undefined) throw new CertificateToolError('openssl printed no key and certificate');
  return { keyPem, certPem, fingerprint256: new X509Certificate(certPem).fingerprint256 };
}
