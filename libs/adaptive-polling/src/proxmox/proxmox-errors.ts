import type { IncomingHttpHeaders } from 'node:http';

/**
 * Errors of the Proxmox pollers. Each carries what the core classifier reads (SPEC 3):
 * `statusCode` and `headers` (Retry-After) for HTTP answers, a `name` ending in
 * ValidationError for bad configuration or a body that is not the API's shape (both
 * permanent), and the socket error as `cause` (its code: network or TLS). Messages name
 * the product, method and path, never a token, password, ticket or CSRF token.
 */

export class ProxmoxHttpError extends Error {
  override readonly name = 'ProxmoxHttpError';
  constructor(
    message: string,
    readonly statusCode: number,
    readonly headers: IncomingHttpHeaders,
  ) {
    super(message);
  }
}

/** The target's `connection` is not usable (missing token, bad URL, bad TLS option). */
export class ProxmoxConnectionValidationError extends Error {
  override readonly name = 'ProxmoxConnectionValidationError';
}

/** The answer is not `{"data": ...}` JSON of the expected shape. */
export class ProxmoxResponseValidationError extends Error {
  override readonly name = 'ProxmoxResponseValidationError';
}

/** The request did not get an answer (socket, TLS, DNS); the Node error is the cause. */
export class ProxmoxRequestError extends Error {
  override readonly name = 'ProxmoxRequestError';
}
