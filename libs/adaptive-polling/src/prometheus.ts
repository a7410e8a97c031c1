/**
 * `nestjs-adaptive-polling/prometheus`: the polling metrics (prom-client) and
 * `/metrics` through @willsoto/nestjs-prometheus.
 */
import { requireOptionalPeers } from './nest/optional-peers';

requireOptionalPeers('nestjs-adaptive-polling/prometheus', ['prom-client', '@willsoto/nestjs-prometheus']);

export {
  AdaptivePollingPrometheusModule,
  DEFAULT_METRICS_PATH,
  type AdaptivePollingPrometheusOptions,
} from './nest/metrics/adaptive-polling-prometheus.module';
export { PollingMetricsService } from './nest/metrics/polling-metrics.service';
export { StandaloneMetricsServer } from './nest/metrics/standalone-metrics.server';
export {
  DEFAULT_METRICS_PREFIX,
  POLLING_METRICS,
  metricName,
  pollingMetricCatalogue,
  type MetricDefinition,
  type MetricType,
  type PollingMetricKey,
} from './nest/metrics/metric-definitions';
