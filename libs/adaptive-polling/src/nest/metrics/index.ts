import type { Provider, Type } from '@nestjs/common';
import { ADAPTIVE_POLLING_CONFIG, type ResolvedModuleConfig } from '../resolved-config';
import { ADAPTIVE_POLLING_METRICS_OPTIONS } from './metrics-options';
import { PollingMetricsService } from './polling-metrics.service';
import { resolveMetricsOptions } from './resolve-metrics-options';
import { StandaloneMetricsServer } from './standalone-metrics.server';

/**
 * Controllers and providers of the Prometheus metrics, wired into
 * AdaptivePollingModule. `/metrics` on the app's own HTTP server is opt-in
 * (AdaptivePollingPrometheusModule), so a host with its own Prometheus setup
 * keeps it; the standalone server runs only when `metrics.standalone` is set.
 */
export const METRICS_CONTROLLERS: Type<unknown>[] = [];
export const METRICS_PROVIDERS: Provider[] = [
  {
    provide: ADAPTIVE_POLLING_METRICS_OPTIONS,
    inject: [ADAPTIVE_POLLING_CONFIG],
    useFactory: (config: ResolvedModuleConfig) => resolveMetricsOptions(config.module.metrics),
  },
  PollingMetricsService,
  StandaloneMetricsServer,
];
export const METRICS_EXPORTS: Array<Type<unknown> | string | symbol> = [
  ADAPTIVE_POLLING_METRICS_OPTIONS,
  PollingMetricsService,
  StandaloneMetricsServer,
];
