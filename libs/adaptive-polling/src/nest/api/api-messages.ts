/**
 * Every message the health and management API shows (start-up errors, HTTP
 * errors, health warnings), kept in one place. None of them ever contains
 * the API token or a connection detail.
 */

// ---------------------------------------------------------------------------
// Start-up
// ---------------------------------------------------------------------------

export const NO_API_AUTH =
  'the health and management routes (/api/monitoring/...) have no authentication configured, and they are ' +
  'not served unauthenticated. Set one of: api.token (a bearer token), the ADAPTIVE_POLLING_API_TOKEN ' +
  'environment variable, api.guard (your own CanActivate guard class), or api: { auth: false } to serve ' +
  'them without authentication on purpose';

export const AUTH_FALSE_CONFLICT = 'api.auth: false (no authentication) contradicts api.token / api.guard; remove one of them';

/** 429 after too many failed attempts from one address. */
export function tooManyAuthFailures(retryAfterSeconds: number): string {
  return `too many failed authentication attempts from this address; retry in ${retryAfterSeconds} s`;
}

export const API_GUARD_NOT_CLASS = 'must be a guard class (a CanActivate provider), not an instance';
export const API_AUTH_VALUE = 'only `false` is accepted (to serve the routes without authentication on purpose)';
export const NON_NEGATIVE_INTEGER = 'must be a whole number >= 0';
export const POSITIVE_INTEGER = 'must be a whole number >= 1';

export function apiConfigSummary(lines: string[]): string {
  return `Invalid adaptive polling API configuration:\n${lines.map((l) => `  - ${l}`).join('\n')}`;
}

export function hostGuardUnresolvable(guardName: string, reason: string): string {
  return `api.guard ${guardName} could not be resolved (register it as a provider of your app): ${reason}`;
}

export const API_WITHOUT_AUTH_WARNING = 'the health and management API is served WITHOUT authentication (api.auth: false)';

// ---------------------------------------------------------------------------
// HTTP errors
// ---------------------------------------------------------------------------

export const MISSING_BEARER = 'missing bearer token: send the header "Authorization: Bearer <token>"';
export const MALFORMED_AUTHORIZATION = 'malformed Authorization header: expected "Authorization: Bearer <token>"';
export const WRONG_BEARER = 'invalid bearer token';

const MAX_ECHO = 80;

/** A user's input quoted back in an error, shortened and without control characters. */
export function echo(value: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what is replaced
  const clean = value.replace(/[\u0000-\u001f\u007f]/g, '?');
  return JSON.stringify(clean.length > MAX_ECHO ? `${clean.slice(0, MAX_ECHO)}...` : clean);
}

export const KEY_EXAMPLE = 'pve::pve-1, URL-encoded as pve%3A%3Apve-1';

export function keyMissing(): string {
  return `instance must be a target key "type::name" (e.g. ${KEY_EXAMPLE})`;
}

export function keyWithoutSeparator(value: string): string {
  return `instance ${echo(value)} is not a target key: expected "type::name" (e.g. ${KEY_EXAMPLE})`;
}

export function keyPartEmpty(value: string, part: 'type' | 'name'): string {
  return `instance ${echo(value)} has an empty ${part}: expected "type::name" (e.g. ${KEY_EXAMPLE})`;
}

export function keyInvalid(value: string, reasons: string[]): string {
  return `instance ${echo(value)} is not a valid target key: ${reasons.join('; ')}`;
}

export function targetNotFound(key: string): string {
  return `no target ${echo(key)} is registered`;
}

export function notDeadLettered(key: string, action: 'retry' | 'purge'): string {
  return `target ${echo(key)} is not in the dead-letter queue: nothing to ${action}`;
}

export function pageParamInvalid(field: 'offset' | 'limit', value: string, rule: string): string {
  return `${field} ${echo(value)} is invalid: ${rule}`;
}

export function pageParamRepeated(field: 'offset' | 'limit'): string {
  return `${field} is given more than once: give it once`;
}

// ---------------------------------------------------------------------------
// Health warnings (per instance)
// ---------------------------------------------------------------------------

export const WARN_PAUSED = 'paused: not polled until resumed';
export const WARN_NOT_SCHEDULED = 'no poll job in Redis: the schedule is being rebuilt';
export const WARN_NOT_POLLED_YET = 'not polled yet';
export const WARN_NEVER_SUCCEEDED = 'never succeeded';
export const WARN_BREAKER_HALF_OPEN = 'circuit breaker half-open: one probe poll decides';

export function warnBreakerOpen(failures: number, retryAt: string | null): string {
  return `circuit breaker open after ${failures} consecutive failures${retryAt ? `; probe at ${retryAt}` : ''}`;
}

export function warnDeadLettered(reason: string, retryAt: string): string {
  return `dead-lettered (${reason}): not polled until its retry at ${retryAt}`;
}

export function warnFailing(failures: number): string {
  return `${failures} consecutive failure${failures === 1 ? '' : 's'}`;
}

export function warnStale(ageSeconds: number): string {
  return `stale: last success ${ageSeconds} s ago, more than twice the max interval`;
}

export function warnOverdue(lateSeconds: number): string {
  return `overdue by ${lateSeconds} s: workers busy or not running`;
}

// ---------------------------------------------------------------------------
// Terminus indicator
// ---------------------------------------------------------------------------

export function redisUnreachable(reason: string): string {
  return `Redis did not answer PING: ${reason}`;
}

export const WORKERS_NOT_RUNNING = 'the poll worker of this process is not running';

export function tooManyDeadLetters(count: number, max: number): string {
  return `${count} targets are dead-lettered (more than ${max})`;
}

export function timedOut(what: string, ms: number): string {
  return `${what} timed out after ${ms} ms`;
}
