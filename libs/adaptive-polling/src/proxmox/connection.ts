import type { PollTarget } from '../engine/poll-handler';
import { ProxmoxConnectionValidationError } from './proxmox-errors';
import { resolveTls, type ResolvedTls } from './tls-options';

/**
 * A target's `connection` for the ready-made pollers:
 * ```ts
 * { baseUrl: 'https://pve1.example:8006',
 *   tokenId: 'monitor@pve!pulse', tokenSecret: '...',          // PVE and PBS: API token
 *   username: 'monitor@pmg', password: '...',                 // PMG: ticket login
 *   tls: { fingerprint: 'AA:BB:...' } }                        // or { ca: pem } or { insecure: true }
 * ```
 */
export type ProxmoxProduct = 'pve' | 'pbs' | 'pmg';

export type ProxmoxAuth = { kind: 'token'; authorization: string } | { kind: 'ticket'; username: string; password: string };

export interface ProxmoxConnection {
  product: ProxmoxProduct;
  /** `https://host:port/` (anything before `/api2/json`, e.g. a reverse proxy prefix, kept). */
  baseUrl: URL;
  tls: ResolvedTls;
  auth: ProxmoxAuth;
}

/** `user@realm!tokenid`, as Proxmox names API tokens. */
const TOKEN_ID = /^[^\s@!]+@[^\s@!]+![A-Za-z][A-Za-z0-9._-]*$/;

/**
 * The API token header. The separator differs: PVE takes `PVEAPIToken=ID=SECRET` (the
 * PVE API documentation, "API Tokens"), PBS takes `PBSAPIToken=ID:SECRET` (the Pulse
 * seed's pkg/pbs/client.go builds `PBSAPIToken=%s@%s!%s:%s`).
 */
export function tokenAuthorization(product: 'pve' | 'pbs', tokenId: string, secret: string): string {
  return product === 'pve' ? `PVEAPIToken=${tokenId}=${secret}` : `PBSAPIToken=${tokenId}:${secret}`;
}

function nonEmpty(connection: Record<string, unknown>, key: string, where: string): string {
  const value = connection[key];
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ProxmoxConnectionValidationError(`${where}.${key}: must be a non-empty string`);
  }
  return value;
}

export function proxmoxConnection(product: ProxmoxProduct, target: PollTarget): ProxmoxConnection {
  const where = `${target.key}: connection`;
  const connection = target.connection ?? {};
  let baseUrl: URL;
  try {
    baseUrl = new URL(nonEmpty(connection, 'baseUrl', where));
  } catch (error) {
    if (error instanceof ProxmoxConnectionValidationError) throw error;
    throw new ProxmoxConnectionValidationError(`${where}.baseUrl: is not a URL`);
  }
  if (baseUrl.protocol !== 'https:')
    throw new ProxmoxConnectionValidationError(`${where}.baseUrl: must be https:// (Proxmox APIs serve HTTPS only)`);
  if (baseUrl.username || baseUrl.password)
    throw new ProxmoxConnectionValidationError(
      `${where}.baseUrl: must not carry credentials; use tokenId/tokenSecret or username/password`,
    );
  if (!baseUrl.pathname.endsWith('/')) baseUrl.pathname += '/';

  let tls: ResolvedTls;
  try {
    tls = resolveTls(connection.tls, where);
  } catch (error) {
    throw new ProxmoxConnectionValidationError((error as Error).message);
  }

  let auth: ProxmoxAuth;
  if (product === 'pmg') {
    // PMG's API is used with a ticket (POST /access/ticket), renewed before it expires.
    auth = { kind: 'ticket', username: nonEmpty(connection, 'username', where), password: nonEmpty(connection, 'password', where) };
  } else {
    const tokenId = nonEmpty(connection, 'tokenId', where);
    if (!TOKEN_ID.test(tokenId)) throw new ProxmoxConnectionValidationError(`${where}.tokenId: must look like user@realm!tokenname`);
    auth = { kind: 'token', authorization: tokenAuthorization(product, tokenId, nonEmpty(connection, 'tokenSecret', where)) };
  }
  return { product, baseUrl, tls, auth };
}
