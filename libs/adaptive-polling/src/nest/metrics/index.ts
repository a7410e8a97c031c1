import type { Provider, Type } from '@nestjs/common';
import { ADAPTIVE_POLLING_CONFIG, type ResolvedModuleConfig } from '../resolved-config';
import { ADAPTIVE_POLLING_METRICS_OPTIONS } from './metrics-options';
import { resolveMetricsOptions } from './resolve-metrics-options';

/**
 * The metrics options, resolved and validated with the rest of the polling
 * module's options. The metrics themselves (prom-client) live in
 * AdaptivePollingPrometheusModule (`nestjs-adaptive-polling/prometheus`).
 */
export const METRICS_PROVIDERS: Provider[] = [
  {
    provide: ADAPTIVE_POLLING_METRICS_OPTIONS,
    inject: [ADAPTIVE_POLLING_CONFIG],
    useFactory: (config: ResolvedModuleConfig) => resolveMetricsOptions(config.module.metrics),
  },
];
export const METRICS_EXPORTS: Array<Type<unknown> | string | symbol> = [ADAPTIVE_POLLING_METRICS_OPTIONS];
