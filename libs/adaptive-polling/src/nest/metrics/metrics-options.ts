/** The seed's standalone metrics server: its own port, away from the app's HTTP server. */
export interface StandaloneMetricsServerOptions {
  /** Port (default 9091; 0 = any free port). */
  port?: number;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** When set, scrapes must send `Authorization: Bearer <token>`. */
  token?: string;
}

/** Options of the Prometheus metrics (`metrics:` of AdaptivePollingModule). */
export interface AdaptivePollingMetricsOptions {
  /** Metric name prefix (default `pulse`): `pulse_monitor_poll_total`, ... */
  prefix?: string;
  /**
   * One series per target (`instance="type::name"`). Off: per-target metrics
   * carry `instance="all"`, aggregated per type (staleness, breaker state,
   * failures and retry time: the worst target; dead-letter depth: the count;
   * last success: the latest). Default `auto`: on while the fleet at start-up
   * has at most `perTargetLabelLimit` targets, off (with a warning) above.
   */
  perTargetLabels?: boolean | 'auto';
  /** Most start-up targets for which `auto` keeps per-target labels (default 1000; about 28 series each). */
  perTargetLabelLimit?: number;
  /** Longest a scrape waits for Redis before answering 503, ms (default 2000). */
  scrapeTimeoutMs?: number;
  /**
   * Also serve `/metrics` on a separate node:http server (the seed's
   * 127.0.0.1:9091). Off by default; `true` for the defaults.
   */
  standalone?: StandaloneMetricsServerOptions | boolean;
}

/** The metrics options after defaults, validated at start-up. */
export interface ResolvedMetricsOptions {
  prefix: string;
  perTargetLabels: boolean | 'auto';
  perTargetLabelLimit: number;
  scrapeTimeoutMs: number;
  standalone: { port: number; host: string; token: string | null } | null;
}

export const DEFAULT_STANDALONE_METRICS_PORT = 9091;
export const DEFAULT_STANDALONE_METRICS_HOST = '127.0.0.1';

/** Injection token of the resolved metrics options (`ResolvedMetricsOptions`). */
export const ADAPTIVE_POLLING_METRICS_OPTIONS = Symbol('ADAPTIVE_POLLING_METRICS_OPTIONS');
