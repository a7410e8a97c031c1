/** Every message text of the metrics surface, in one place. */

export const METRICS_PREFIX_INVALID = 'must be a Prometheus metric name prefix: a letter or "_" followed by letters, digits or "_"';
export const METRICS_BOOLEAN = 'must be true, false or "auto"';
export const STANDALONE_SHAPE = 'must be true, false or an object { port, host, token }';
export const STANDALONE_PORT = 'must be a whole number from 0 to 65535';
export const STANDALONE_HOST = 'must be a non-empty string';

export function metricsOptionsSummary(problems: string[]): string {
  return `Invalid adaptive polling metrics options (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems
    .map((p) => `  - ${p}`)
    .join('\n')}`;
}

export function snapshotReadFailed(reason: string): string {
  return `metrics: could not read the targets' state (${reason}); the state gauges are left out of this scrape`;
}

export function standaloneListening(url: string, withToken: boolean): string {
  return `Prometheus metrics also at ${url}${withToken ? ' (bearer token required)' : ''}`;
}

export const STANDALONE_UNAUTHORIZED = 'Unauthorized: send Authorization: Bearer <metrics token>\n';

export function standaloneTooManyFailures(retryAfterSeconds: number): string {
  return `Too many failed authentication attempts from this address; retry in ${retryAfterSeconds} s\n`;
}
export const STANDALONE_NOT_FOUND = 'Not found: metrics are at /metrics\n';
export const STANDALONE_METHOD = 'Method not allowed: use GET\n';

export const NO_POLLING_METRICS =
  'AdaptivePollingPrometheusModule needs AdaptivePollingModule in the same app (its PollingMetricsService was not found)';
