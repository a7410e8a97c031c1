import type { CanActivate, Type } from '@nestjs/common';

/** Options of the Terminus health indicator (`AdaptivePollingHealthIndicator`). */
export interface AdaptivePollingHealthIndicatorOptions {
  /** Degraded (still up) when more targets than this are dead-lettered (default 10). */
  maxDeadLetters?: number;
  /** Bound on each check (Redis PING, state read), ms (default 2000). */
  timeoutMs?: number;
}

/**
 * Options of the health and management REST API (`/api/monitoring/...` by
 * default; `basePath` moves it, and the app's global prefix goes in front).
 *
 * Authentication, exactly one of:
 * - `token` (or env `ADAPTIVE_POLLING_API_TOKEN`): clients send `Authorization: Bearer <token>`;
 * - `guard`: a host app's own `CanActivate` class, used instead of the token (the
 *   audit actor comes from what it puts on `request.user`);
 * - `auth: false`: served without authentication, on purpose.
 * With none of them the module refuses to start.
 */
export interface AdaptivePollingApiOptions {
  /** Path the routes are mounted under (default `api/monitoring`); in forRootAsync, give it next to useFactory. */
  basePath?: string;
  /** Bearer token the routes require (or env ADAPTIVE_POLLING_API_TOKEN). */
  token?: string;
  /**
   * A host app's own guard, used instead of the bearer token. Resolved through
   * ModuleRef: register it as a provider of your app to give it dependencies.
   */
  guard?: Type<CanActivate>;
  /** Set `auth: false` on purpose to serve the routes without authentication. */
  auth?: false;
  /**
   * Failed authentication allowed per client address (REST API and Bull
   * Board together): after `maxFailures` failures within `windowMs` of the
   * first, the address gets 429 until the window ends (default 10 per 60000 ms).
   */
  authFailureLimit?: { maxFailures?: number; windowMs?: number };
  /** How long the scheduler health document is reused, ms (default 1000; 0 = never). */
  healthCacheMs?: number;
  /** Longest a route waits for Redis or the database before answering 503, ms (default 2000). */
  answerTimeoutMs?: number;
  /** The Terminus health indicator's thresholds. */
  healthIndicator?: AdaptivePollingHealthIndicatorOptions;
}

/** The environment variable the API token is read from. */
export const API_TOKEN_ENV = 'ADAPTIVE_POLLING_API_TOKEN';

export const DEFAULT_HEALTH_CACHE_MS = 1_000;
export const DEFAULT_MAX_DEAD_LETTERS = 10;
export const DEFAULT_HEALTH_INDICATOR_TIMEOUT_MS = 2_000;
