import { describeError } from '../../core/redact';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { AuthFailureLimiter } from '../../core/auth-failure-limiter';
import { clientAddress } from '../client-address';
import { TokenMatcher } from '../token-matcher';
import {
  STANDALONE_METHOD,
  STANDALONE_NOT_FOUND,
  STANDALONE_UNAUTHORIZED,
  standaloneListening,
  standaloneTooManyFailures,
} from './metrics-messages';
import { PollingMetricsService } from './polling-metrics.service';

const BEARER = /^Bearer[ ]+([^\s]+)[ ]*$/i;

/**
 * The seed's standalone metrics server (`metrics.standalone`): GET /metrics
 * on its own port (default 127.0.0.1:9091), optionally behind a bearer
 * token. Does nothing unless configured.
 */
@Injectable()
export class StandaloneMetricsServer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('AdaptivePollingMetrics');
  private server: Server | null = null;
  private token: TokenMatcher | null = null;
  /** Wrong tokens per client address, limited like the API's (10 per minute). */
  private readonly authFailures = new AuthFailureLimiter();

  constructor(private readonly metrics: PollingMetricsService) {}

  /** Where it listens (`http://host:port/metrics`), or null when off. */
  url(): string | null {
    const address = this.server?.address() as AddressInfo | null | undefined;
    if (!address) return null;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${host}:${address.port}/metrics`;
  }

  async onApplicationBootstrap(): Promise<void> {
    const standalone = this.metrics.options.standalone;
    if (!standalone) return;
    this.token = standalone.token ? new TokenMatcher(standalone.token) : null;
    const server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(standalone.port, standalone.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.logger.log(standaloneListening(this.url() ?? '', this.token !== null));
  }

  async beforeApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?')[0];
    if (path !== '/metrics') return send(response, 404, STANDALONE_NOT_FOUND);
    if (request.method !== 'GET' && request.method !== 'HEAD') return send(response, 405, STANDALONE_METHOD);
    if (this.token) {
      const client = clientAddress(request);
      const waitMs = this.authFailures.retryAfterMs(client);
      if (waitMs > 0) {
        response.setHeader('Retry-After', String(Math.ceil(waitMs / 1000)));
        return send(response, 429, standaloneTooManyFailures(Math.ceil(waitMs / 1000)));
      }
      const match = BEARER.exec(request.headers.authorization ?? '');
      if (!match || !this.token.matches(match[1])) {
        if (request.headers.authorization) this.authFailures.recordFailure(client);
        response.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
        return send(response, 401, STANDALONE_UNAUTHORIZED);
      }
    }
    try {
      const scrape = await this.metrics.scrape();
      response.statusCode = scrape.status;
      response.setHeader('Content-Type', scrape.contentType);
      response.end(request.method === 'HEAD' ? undefined : scrape.body);
    } catch (error) {
      send(response, 500, `${describeError(error)}\n`);
    }
  }
}

function send(response: ServerResponse, status: number, text: string): void {
  response.statusCode = status;
  response.setHeader('Content-Type', 'text/plain; charset=utf-8');
  response.end(text);
}
