import { Agent, request, type AgentOptions, type RequestOptions } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import { connect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import type { ResolvedTls } from './tls-options';

/**
 * HTTPS requests with Node's own `node:https` (no HTTP client dependency): `ca` and
 * `rejectUnauthorized` cover the CA and insecure modes; the fingerprint pin needs a
 * check after the handshake, which an Agent whose `createConnection` hands the socket
 * over only once the pin matched gives us: not one byte of the request (its token
 * header above all) goes to a server whose certificate does not match. The requests of
 * one poll share one kept-alive connection (`pollAgent`), closed when the poll ends.
 */

export interface HttpsAnswer {
  status: number;
  statusMessage: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface HttpsRequest {
  url: URL;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  /** The poll's agent (`pollAgent(tls)`), which carries the TLS trust. */
  agent: Agent;
  /** Larger answers are cut off with an error (a 1,000-guest cluster/resources is ~300 KB). */
  maxBytes?: number;
}

const DEFAULT_MAX_BYTES = 32 * 1024 * 1024;

/** A certificate whose SHA-256 fingerprint is not the pinned one. Code read by the core classifier. */
export class FingerprintMismatchError extends Error {
  override readonly name = 'FingerprintMismatchError';
  readonly code = 'ERR_TLS_FINGERPRINT_MISMATCH';
  constructor(
    readonly host: string,
    readonly actual: string,
    readonly expected: string,
  ) {
    super(`certificate fingerprint mismatch for ${host}: the server presented ${actual}, the pin is ${expected}`);
  }
}

/** Hands a TLS socket to the request only after its certificate matched the pin. */
class PinnedAgent extends Agent {
  constructor(
    private readonly fingerprint: string,
    options: AgentOptions,
  ) {
    super(options);
  }

  override createConnection(options: RequestOptions, callback?: (error: Error | null, stream: Duplex) => void): undefined {
    const tlsOptions = options as ConnectionOptions;
    const socket: TLSSocket = connect({ ...tlsOptions, rejectUnauthorized: false });
    const fail = (error: Error) => callback?.(error, undefined as unknown as Duplex);
    const onError = (error: Error) => fail(error);
    socket.once('error', onError);
    socket.once('secureConnect', () => {
      socket.off('error', onError);
      const actual = socket.getPeerCertificate().fingerprint256 ?? '(none)';
      if (actual === this.fingerprint) {
        callback?.(null, socket);
        return;
      }
      socket.destroy();
      fail(new FingerprintMismatchError(String(tlsOptions.host ?? tlsOptions.servername ?? ''), actual, this.fingerprint));
    });
    return undefined;
  }
}

/**
 * An agent for the requests of one poll of one target: one kept-alive connection (its
 * requests run one after the other), so a poll costs one TLS handshake, not one per
 * request. Nothing is shared across targets or kept between polls: `destroy()` it when
 * the poll ends.
 */
export function pollAgent(tls: ResolvedTls): Agent {
  const options: AgentOptions = { keepAlive: true, maxSockets: 1 };
  switch (tls.mode) {
    case 'ca':
      return new Agent({ ...options, ca: tls.ca, rejectUnauthorized: true });
    case 'insecure':
      return new Agent({ ...options, rejectUnauthorized: false });
    case 'fingerprint':
      return new PinnedAgent(tls.fingerprint, options);
    case 'system':
      return new Agent({ ...options, rejectUnauthorized: true });
  }
}

export function httpsRequest(req: HttpsRequest): Promise<HttpsAnswer> {
  const maxBytes = req.maxBytes ?? DEFAULT_MAX_BYTES;
  return new Promise<HttpsAnswer>((resolve, reject) => {
    const headers: Record<string, string> = { accept: 'application/json', ...(req.headers ?? {}) };
    if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));
    const client = request(req.url, { method: req.method ?? 'GET', headers, signal: req.signal, agent: req.agent }, (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) {
          response.destroy(new RangeError(`answer larger than ${maxBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      response.once('error', reject);
      response.once('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          statusMessage: response.statusMessage ?? '',
          headers: response.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    client.once('error', reject);
    client.end(req.body);
  });
}
