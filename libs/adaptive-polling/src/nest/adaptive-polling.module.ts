import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { API_CONTROLLERS, API_EXPORTS, API_PROVIDERS } from './api';
import { METRICS_CONTROLLERS, METRICS_EXPORTS, METRICS_PROVIDERS } from './metrics';
import { REPLICA_EXPORTS, REPLICA_PROVIDERS } from './replicas';
import { AdaptivePollingConfigurableModule, ADAPTIVE_POLLING_MODULE_OPTIONS } from './adaptive-polling.module-definition';
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

/**
 * `AdaptivePollingModule.forRoot({...})` or `.forRootAsync({ useFactory })`.
 * Marks nothing global unless `isGlobal: true` is passed.
 */
@Module({
  imports: [DiscoveryModule],
  providers: [
    {
      provide: ADAPTIVE_POLLING_CONFIG,
      inject: [ADAPTIVE_POLLING_MODULE_OPTIONS],
      useFactory: (options: AdaptivePollingModuleOptions) => resolveModuleConfig(options),
    },
    PollerExplorer,
    PollingEngineHost,
    ...publicServices,
    ...API_PROVIDERS,
    ...METRICS_PROVIDERS,
    ...REPLICA_PROVIDERS,
  ],
  controllers: [...API_CONTROLLERS, ...METRICS_CONTROLLERS],
  exports: [ADAPTIVE_POLLING_CONFIG, PollingEngineHost, ...publicServices, ...API_EXPORTS, ...METRICS_EXPORTS, ...REPLICA_EXPORTS],
})
export class AdaptivePollingModule extends AdaptivePollingConfigurableModule {}
