import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthFailureLimiter } from '../../core/auth-failure-limiter';
import { clientAddress } from '../client-address';
import { BOARD_NOT_READY, BOARD_REALM, BOARD_UNAUTHORIZED, boardTooManyFailures } from './bull-board-messages';

/**
 * Who may open the board: a secret checked in constant time (failures
 * counted per address, with the API's when it shares the API's auth), or
 * anyone (API auth: false on purpose).
 */
export type BoardAccess = { kind: 'secret'; matches(candidate: string): boolean; failures: AuthFailureLimiter } | { kind: 'open' };

type Next = (error?: unknown) => void;

const BASIC = /^Basic[ ]+([A-Za-z0-9+/=]+)[ ]*$/i;
const BEARER = /^Bearer[ ]+([^\s]+)[ ]*$/i;

/** The secret a request presents: the password of HTTP Basic (any user name), or a bearer token. */
export function presentedSecret(authorization: string | undefined): string | null {
  if (!authorization) return null;
  const basic = BASIC.exec(authorization);
  if (basic) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon < 0 ? null : decoded.slice(colon + 1);
  }
  const bearer = BEARER.exec(authorization);
  return bearer ? bearer[1] : null;
}

/**
 * The Express middleware in front of Bull Board. Browsers get a 401 with
 * `WWW-Authenticate: Basic`, so they prompt for the credentials; scripts may
 * send `Authorization: Bearer <token>` instead. One gate per registration,
 * configured at module init (before the app takes requests).
 */
export class BullBoardAuthGate {
  private access: BoardAccess | null = null;
  private unavailable: () => string | null = () => null;

  /** `unavailable` says why the board's API cannot be served now (Redis gone), or null. */
  configure(access: BoardAccess, unavailable: () => string | null = () => null): void {
    this.access = access;
    this.unavailable = unavailable;
  }

  readonly middleware = (request: IncomingMessage, response: ServerResponse, next: Next): void => {
    const access = this.access;
    if (access === null) return reply(response, 503, BOARD_NOT_READY);
    if (access.kind === 'open') return this.passOn(request, response, next);
    // A refused address is refused whatever it presents: a right guess must look like a wrong one.
    const client = clientAddress(request);
    const waitMs = access.failures.retryAfterMs(client);
    if (waitMs > 0) {
      const seconds = Math.ceil(waitMs / 1000);
      response.setHeader('Retry-After', String(seconds));
      return reply(response, 429, boardTooManyFailures(seconds));
    }
    const secret = presentedSecret(request.headers.authorization);
    if (secret !== null && access.matches(secret)) return this.passOn(request, response, next);
    // A browser's first visit (no credentials) guesses nothing: only wrong secrets count.
    if (request.headers.authorization) access.failures.recordFailure(client);
    response.setHeader('WWW-Authenticate', `Basic realm="${BOARD_REALM}", charset="UTF-8"`);
    reply(response, 401, BOARD_UNAUTHORIZED);
  };

  /** The board's API reads Redis on every call: while Redis is gone it answers 503 at once instead of waiting. */
  private passOn(request: IncomingMessage, response: ServerResponse, next: Next): void {
    const reason = (request.url ?? '').includes('/api/') ? this.unavailable() : null;
    if (reason === null) return next();
    response.statusCode = 503;
    response.setHeader('Content-Type', 'application/json; charset=utf-8');
    response.setHeader('Cache-Control', 'no-store');
    response.end(JSON.stringify({ statusCode: 503, message: reason, error: 'Service Unavailable' }));
  }
}

function reply(response: ServerResponse, status: number, text: string): void {
  response.statusCode = status;
  response.setHeader('Content-Type', 'text/plain; charset=utf-8');
  response.setHeader('Cache-Control', 'no-store');
  response.end(text);
}
