import { Module, type DynamicModule } from '@nestjs/common';
import { DiscoveryModule, RouterModule } from '@nestjs/core';
import { API_CONTROLLERS, API_EXPORTS, API_PROVIDERS } from './api';
import { ADAPTIVE_POLLING_API_ROUTES, apiRoutesOf, type ApiRoutes } from './api/api-routes';
import { METRICS_EXPORTS, METRICS_PROVIDERS } from './metrics';
import { REPLICA_EXPORTS, REPLICA_PROVIDERS } from './replicas';
import {
  ADAPTIVE_POLLING_ASYNC_OPTIONS_TYPE,
  ADAPTIVE_POLLING_MODULE_OPTIONS,
  ADAPTIVE_POLLING_OPTIONS_TYPE,
  AdaptivePollingConfigurableModule,
} from './adaptive-polling.module-definition';
import type { AdaptivePollingModuleOptions } from './adaptive-polling.options';
import { AuditTrailService } from './audit/audit-trail.service';
import { BreakerService } from './breaker.service';
import { PollerExplorer } from './poller.explorer';
import { PollingEngineHost } from './polling-engine.host';
import { PollingSchedulerService } from './polling-scheduler.service';
import { ADAPTIVE_POLLING_CONFIG, resolveModuleConfig } from './resolved-config';
import { StalenessService } from './staleness.service';
import { TargetRegistryService } from './target-registry.service';

const publicServices = [TargetRegistryService, PollingSchedulerService, BreakerService, StalenessService, AuditTrailService];

/** Routes fixed at definition time, next to `useFactory` in forRootAsync. */
export interface AdaptivePollingAsyncRoutes {
  /** `false` serves no routes; `{ basePath }` mounts them elsewhere (default `api/monitoring`). */
  api?: false | { basePath?: string };
}

/** Adds the controllers (or none, for `api: false`) under their base path. */
function withRoutes(definition: DynamicModule, routes: ApiRoutes): DynamicModule {
  const routeProvider = { provide: ADAPTIVE_POLLING_API_ROUTES, useValue: routes };
  return {
    ...definition,
    imports: [
      ...(definition.imports ?? []),
      ...(routes.served ? [RouterModule.register([{ path: routes.basePath, module: AdaptivePollingModule }])] : []),
    ],
    controllers: routes.served ? API_CONTROLLERS : [],
    providers: [...(definition.providers ?? []), routeProvider],
  };
}

/**
 * `AdaptivePollingModule.forRoot({...})` or `.forRootAsync({ useFactory })`.
 * Marks nothing global unless `isGlobal: true` is passed. Integrations
 * (persistence, Prometheus, Bull Board, Terminus) are imported next to it
 * from their own entries, `nestjs-adaptive-polling/<name>`.
 */
@Module({
  imports: [DiscoveryModule],
  providers: [
    {
      provide: ADAPTIVE_POLLING_CONFIG,
      inject: [ADAPTIVE_POLLING_MODULE_OPTIONS, ADAPTIVE_POLLING_API_ROUTES],
      useFactory: (options: AdaptivePollingModuleOptions, routes: ApiRoutes) => resolveModuleConfig(options, routes),
    },
    PollerExplorer,
    PollingEngineHost,
    ...publicServices,
    ...API_PROVIDERS,
    ...METRICS_PROVIDERS,
    ...REPLICA_PROVIDERS,
  ],
  exports: [ADAPTIVE_POLLING_CONFIG, PollingEngineHost, ...publicServices, ...API_EXPORTS, ...METRICS_EXPORTS, ...REPLICA_EXPORTS],
})
export class AdaptivePollingModule extends AdaptivePollingConfigurableModule {
  static override forRoot(options: typeof ADAPTIVE_POLLING_OPTIONS_TYPE): DynamicModule {
    return withRoutes(super.forRoot(options), apiRoutesOf(options.api));
  }

  static override forRootAsync(options: typeof ADAPTIVE_POLLING_ASYNC_OPTIONS_TYPE & AdaptivePollingAsyncRoutes): DynamicModule {
    const { api, ...async } = options;
    return withRoutes(super.forRootAsync(async), apiRoutesOf(api));
  }
}
