import type { FleetTarget } from '@app/fleet-sim/server';

/**
 * The simulator accepts any well-formed API token and PMG login; these are the demo's.
 * Secret-named fields (tokenSecret, password) never appear in health output.
 */
const DEMO_TOKEN_SECRET = 'demo-api-token-secret';
const DEMO_PMG_PASSWORD = 'demo-pmg-password';

/**
 * A target's `connection` as the ready-made pollers read it: the simulator serves each
 * target's Proxmox API under `<simulator>/targets/<name>`, PVE and PBS with an API
 * token, PMG with a ticket login, and the certificate is pinned by its SHA-256
 * fingerprint, as one pins a Proxmox node's self-signed certificate.
 */
export function demoConnection(target: FleetTarget, simulatorUrl: string, fingerprint: string): Record<string, unknown> {
  const baseUrl = `${simulatorUrl}/targets/${encodeURIComponent(target.name)}`;
  const tls = { fingerprint };
  if (target.type === 'pmg') return { baseUrl, username: 'monitor@pmg', password: DEMO_PMG_PASSWORD, tls };
  return { baseUrl, tokenId: `monitor@${target.type}!demo`, tokenSecret: DEMO_TOKEN_SECRET, tls };
}
