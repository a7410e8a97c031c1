import { Registry, collectDefaultMetrics, register as defaultRegistry } from 'prom-client';

export interface MetricsScrape {
  contentType: string;
  body: string;
}

/** A scrape as served: 200 with the metrics, or 503 with why Redis could not be read in time. */
export interface MetricsAnswer extends MetricsScrape {
  status: 200 | 503;
}

export const UNAVAILABLE_CONTENT_TYPE = 'text/plain; charset=utf-8';

/**
 * One scrape of the host's default registry (process metrics, the app's own
 * metrics) merged with this app's polling registry. The merge is made per
 * scrape, so metrics the host registers later are included.
 */
export async function scrapeWithDefaultRegistry(pollingRegistry: Registry): Promise<MetricsScrape> {
  const merged = Registry.merge([defaultRegistry, pollingRegistry]);
  return { contentType: merged.contentType, body: await merged.metrics() };
}

/** A metric every `collectDefaultMetrics()` registers: present = already collected in this process. */
const DEFAULT_METRICS_MARKER = 'process_cpu_user_seconds_total';

/**
 * prom-client's gauges named like counters: `promtool check metrics` rejects
 * them ("non-counter metrics should not have _total suffix"), so they are
 * left out (nodejs_active_handles / _requests / _resources counts by kind).
 */
const LINT_FAILING_DEFAULT_METRICS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
] as const;

/**
 * Starts prom-client's process metrics in the default registry unless
 * something in this process (another app, the host) already did: they are
 * per process, and registering them twice throws.
 */
export function ensureDefaultProcessMetrics(): void {
  if (defaultRegistry.getSingleMetric(DEFAULT_METRICS_MARKER)) return;
  collectDefaultMetrics();
  for (const name of LINT_FAILING_DEFAULT_METRICS) defaultRegistry.removeSingleMetric(name);
}
