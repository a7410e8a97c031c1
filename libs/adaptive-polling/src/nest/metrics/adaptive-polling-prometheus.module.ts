import { Inject, Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { ADAPTIVE_POLLING_WRITE_FAILURE_COUNTER } from '../extension-points';
import { PollingModuleRefs } from '../polling-module-refs';
import { ensureDefaultProcessMetrics } from './metrics-scrape';
import { createPollingMetricsController } from './polling-metrics.controller';
import { PollingMetricsService } from './polling-metrics.service';
import { StandaloneMetricsServer } from './standalone-metrics.server';

/** Options of `AdaptivePollingPrometheusModule.forRoot()`. */
export interface AdaptivePollingPrometheusOptions {
  /** Route of the scrape endpoint (default `/metrics`); `false` serves none (use the standalone server or your own). */
  path?: string | false;
  /** Also collect prom-client's process metrics in the default registry, once per process (default true). */
  defaultMetrics?: boolean;
}

export const DEFAULT_METRICS_PATH = '/metrics';

const PROMETHEUS_MODULE_OPTIONS = Symbol('ADAPTIVE_POLLING_PROMETHEUS_OPTIONS');

/**
 * The polling engine's Prometheus metrics (prom-client, in the app's own
 * registry) and `/metrics` on the app's HTTP server through
 * @willsoto/nestjs-prometheus, merged with the default registry. Metric
 * names, prefix, per-target labels and the standalone server are set in the
 * polling module's `metrics` options. Import it next to AdaptivePollingModule:
 *
 * ```ts
 * imports: [AdaptivePollingModule.forRoot({...}), AdaptivePollingPrometheusModule.forRoot()]
 * ```
 *
 * Its options shape routes, which Nest fixes when the module is defined, so
 * there is no forRootAsync: runtime settings belong in the polling module's.
 */
@Module({})
export class AdaptivePollingPrometheusModule implements OnModuleInit {
  constructor(@Inject(PROMETHEUS_MODULE_OPTIONS) private readonly options: AdaptivePollingPrometheusOptions) {}

  static forRoot(options: AdaptivePollingPrometheusOptions = {}): DynamicModule {
    const path = options.path ?? DEFAULT_METRICS_PATH;
    return {
      module: AdaptivePollingPrometheusModule,
      imports:
        path === false
          ? []
          : [
              PrometheusModule.register({
                controller: createPollingMetricsController(),
                path,
                // Collected below, once per process: the package would register them again per app.
                defaultMetrics: { enabled: false },
              }),
            ],
      providers: [
        { provide: PROMETHEUS_MODULE_OPTIONS, useValue: options },
        PollingModuleRefs,
        PollingMetricsService,
        { provide: ADAPTIVE_POLLING_WRITE_FAILURE_COUNTER, useExisting: PollingMetricsService },
        StandaloneMetricsServer,
      ],
      exports: [PollingMetricsService, StandaloneMetricsServer],
    };
  }

  onModuleInit(): void {
    if (this.options.defaultMetrics !== false) ensureDefaultProcessMetrics();
  }
}
