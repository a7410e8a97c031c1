import { Inject, Module, type DynamicModule, type OnModuleInit } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { ensureDefaultProcessMetrics } from './metrics-scrape';
import { createPollingMetricsController } from './polling-metrics.controller';

/** Options of `AdaptivePollingPrometheusModule.register()`. */
export interface AdaptivePollingPrometheusOptions {
  /** Route of the scrape endpoint (default `/metrics`). */
  path?: string;
  /** Also collect prom-client's process metrics in the default registry, once per process (default true). */
  defaultMetrics?: boolean;
}

export const DEFAULT_METRICS_PATH = '/metrics';

const PROMETHEUS_MODULE_OPTIONS = Symbol('ADAPTIVE_POLLING_PROMETHEUS_OPTIONS');

/**
 * `/metrics` on the app's HTTP server through @willsoto/nestjs-prometheus:
 * the default registry merged with the app's polling metrics. Import it next
 * to AdaptivePollingModule:
 *
 * ```ts
 * imports: [AdaptivePollingModule.forRoot({...}), AdaptivePollingPrometheusModule.register()]
 * ```
 */
@Module({})
export class AdaptivePollingPrometheusModule implements OnModuleInit {
  constructor(@Inject(PROMETHEUS_MODULE_OPTIONS) private readonly options: AdaptivePollingPrometheusOptions) {}

  static register(options: AdaptivePollingPrometheusOptions = {}): DynamicModule {
    return {
      module: AdaptivePollingPrometheusModule,
      imports: [
        PrometheusModule.register({
          controller: createPollingMetricsController(),
          path: options.path ?? DEFAULT_METRICS_PATH,
          // Collected below, once per process: the package would register them again per app.
          defaultMetrics: { enabled: false },
        }),
      ],
      providers: [{ provide: PROMETHEUS_MODULE_OPTIONS, useValue: options }],
    };
  }

  onModuleInit(): void {
    if (this.options.defaultMetrics !== false) ensureDefaultProcessMetrics();
  }
}
