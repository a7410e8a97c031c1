import type { IncomingMessage, ServerResponse } from 'node:http';

/* Small HTTP helpers of the console's handler (plain node:http, whatever body parser the host has). */

const MAX_BODY_BYTES = 16 * 1024;

export function send(response: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, {
    'Content-Type': type,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Content-Security-Policy': "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'",
    'Referrer-Policy': 'same-origin',
    ...headers,
  });
  response.end(body);
}

export function sendJson(response: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  send(response, status, 'application/json; charset=utf-8', JSON.stringify(value), headers);
}

export function sendHtml(response: ServerResponse, status: number, html: string, headers: Record<string, string> = {}): void {
  send(response, status, 'text/html; charset=utf-8', html, headers);
}

export function redirect(response: ServerResponse, location: string, headers: Record<string, string> = {}): void {
  response.writeHead(303, { Location: location, 'Cache-Control': 'no-store', ...headers });
  response.end();
}

/** The request body as fields: what the host's body parser left on `request.body`, else read here (JSON or form). */
export async function readFields(request: IncomingMessage & { body?: unknown }): Promise<Record<string, unknown>> {
  if (typeof request.body === 'object' && request.body !== null && !Buffer.isBuffer(request.body)) {
    return request.body as Record<string, unknown>;
  }
  let text = '';
  if (typeof request.body === 'string' || Buffer.isBuffer(request.body)) text = request.body.toString();
  else if (!request.readableEnded) {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of request as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) return {};
      chunks.push(chunk);
    }
    text = Buffer.concat(chunks).toString('utf8');
  }
  const type = request.headers['content-type'] ?? '';
  if (type.includes('application/json')) {
    try {
      const parsed = JSON.parse(text) as unknown;
      return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  }
  return Object.fromEntries(new URLSearchParams(text));
}

/**
 * A POST from another site: its Origin (or, without one, its Referer) is not
 * this host. Browsers send Origin on every cross-site POST.
 */
export function crossSite(request: IncomingMessage): boolean {
  const source = request.headers.origin ?? request.headers.referer;
  if (source === undefined) return false;
  try {
    return new URL(source).host !== request.headers.host;
  } catch {
    return true;
  }
}

export function isHttps(request: IncomingMessage): boolean {
  const forwarded = request.headers['x-forwarded-proto'];
  return (request.socket as { encrypted?: boolean }).encrypted === true || forwarded === 'https';
}
