/**
 * How a Proxmox poller trusts a target's certificate. Proxmox VE, Backup Server and Mail
 * Gateway serve a self-signed certificate by default, so one of these is usually needed:
 * - `fingerprint`: the SHA-256 fingerprint pin, written as Proxmox shows it
 *   (`AA:BB:...`, 32 colon-separated bytes; case and colons are not significant);
 * - `ca`: the PEM of the CA that signed the certificate (or the certificate itself);
 * - `insecure: true`: accept any certificate, on purpose (a lab; never the default).
 * With none of them the system's CAs decide, and a self-signed certificate is refused.
 */
export interface ProxmoxTlsOptions {
  fingerprint?: string;
  ca?: string | Buffer;
  insecure?: boolean;
}

export type ResolvedTls =
  { mode: 'system' } | { mode: 'ca'; ca: string | Buffer } | { mode: 'fingerprint'; fingerprint: string } | { mode: 'insecure' };

/** `aa:bb..`, `AABB..` -> `AA:BB:..`; null if it is not 32 bytes of hex. */
export function normalizeFingerprint(text: string): string | null {
  const hex = text.replace(/[:\s]/g, '').toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) return null;
  return hex.match(/../g)!.join(':');
}

/** Reads `connection.tls`; a problem is thrown as a message naming the field (permanent: config). */
export function resolveTls(value: unknown, where: string): ResolvedTls {
  if (value === undefined || value === null) return { mode: 'system' };
  if (typeof value !== 'object' || Array.isArray(value)) throw new TypeError(`${where}.tls: must be an object {fingerprint|ca|insecure}`);
  const tls = value as Record<string, unknown>;
  const chosen = ['fingerprint', 'ca', 'insecure'].filter((key) => tls[key] !== undefined && tls[key] !== false);
  if (chosen.length > 1) throw new TypeError(`${where}.tls: set only one of fingerprint, ca, insecure (got ${chosen.join(', ')})`);
  if (tls.fingerprint !== undefined) {
    const fingerprint = typeof tls.fingerprint === 'string' ? normalizeFingerprint(tls.fingerprint) : null;
    if (fingerprint === null) throw new TypeError(`${where}.tls.fingerprint: must be a SHA-256 fingerprint like AA:BB:... (32 bytes)`);
    return { mode: 'fingerprint', fingerprint };
  }
  if (tls.ca !== undefined) {
    if (!(typeof tls.ca === 'string' || Buffer.isBuffer(tls.ca)) || !String(tls.ca).includes('BEGIN CERTIFICATE')) {
      throw new TypeError(`${where}.tls.ca: must be a PEM certificate`);
    }
    return { mode: 'ca', ca: tls.ca };
  }
  if (tls.insecure === true) return { mode: 'insecure' };
  if (tls.insecure !== undefined && tls.insecure !== false) throw new TypeError(`${where}.tls.insecure: must be true or false`);
  return { mode: 'system' };
}
