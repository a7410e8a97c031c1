import { Module, type DynamicModule } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { AdaptivePollingHealthIndicator } from 'nestjs-adaptive-polling/terminus';
import { AdaptivePollingModule } from 'nestjs-adaptive-polling';
import { AdaptivePollingConsoleModule } from 'nestjs-adaptive-polling/console';
import { AdaptivePollingPersistenceModule } from 'nestjs-adaptive-polling/persistence';
import { AdaptivePollingProxmoxModule } from 'nestjs-adaptive-polling/proxmox';
import type { DemoApiToken } from './demo-api-token';
import { CONSOLE_PATH } from './demo-paths';
import type { DemoEnvironment } from './demo-environment';
import { demoModuleOptions } from './demo-settings';
import { DemoHealthController } from './demo-health.controller';
import { DEMO_ENVIRONMENT, DemoShutdown } from './demo-shutdown';
import { DemoObservabilityModule } from './observability';

/** The demo app: the adaptive polling module against the simulated fleet. */
@Module({})
export class AppModule {
  static register(demo: DemoEnvironment, apiToken: DemoApiToken = { generated: null }): DynamicModule {
    return {
      module: AppModule,
      imports: [
        // Dead letters, audit trail, run-time targets and rollups.
        AdaptivePollingPersistenceModule.forRoot(demo.settings.persistence),
        AdaptivePollingModule.forRootAsync({
          useFactory: () => demoModuleOptions(demo.settings, apiToken, demo),
        }),
        // The ready-made PVE, PBS and PMG pollers (node:https, the certificate pinned per target).
        AdaptivePollingProxmoxModule.forRoot(),
        DemoObservabilityModule,
        // The operator's console, behind the same API token (sign-in form or HTTP Basic).
        AdaptivePollingConsoleModule.forRoot({ path: CONSOLE_PATH }),
        TerminusModule.forRoot({ errorLogStyle: 'pretty' }),
      ],
      controllers: [DemoHealthController],
      providers: [{ provide: DEMO_ENVIRONMENT, useValue: demo }, DemoShutdown, AdaptivePollingHealthIndicator],
    };
  }
}
