import { Module, type DynamicModule } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { AdaptivePollingHealthIndicator } from 'nestjs-adaptive-polling/terminus';
import { AdaptivePollingModule } from 'nestjs-adaptive-polling';
import { AdaptivePollingPersistenceModule } from 'nestjs-adaptive-polling/persistence';
import { AdaptivePollingProxmoxModule } from 'nestjs-adaptive-polling/proxmox';
import type { DemoApiToken } from './demo-api-token';
import { demoConnection } from './demo-connections';
import type { DemoEnvironment } from './demo-environment';
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
        // Dead letters, audit trail, run-time targets and rollups: PostgreSQL
        // when DATABASE_URL is set, else SQLite under ./data.
        AdaptivePollingPersistenceModule.forRoot({
          url: process.env.DATABASE_URL,
          sqlitePath: process.env.DEMO_SQLITE_PATH || './data/adaptive-polling.sqlite',
        }),
        AdaptivePollingModule.forRootAsync({
          useFactory: () => ({
            redis: demo.redisUrl,
            queueName: demo.queueName,
            systemJsonPath: process.env.DEMO_SYSTEM_JSON ?? 'system.json',
            // The token from ADAPTIVE_POLLING_API_TOKEN (read by the module), or the one generated for this run.
            api: apiToken.generated ? { token: apiToken.generated } : {},
            targets: demo.fleet.map((target) => ({
              name: target.name,
              type: target.type,
              displayName: target.displayName,
              connection: demoConnection(target, demo.simulatorUrl, demo.simulatorFingerprint),
              metadata: { fleetEntry: target.entry },
            })),
          }),
        }),
        // The ready-made PVE, PBS and PMG pollers (node:https, the certificate pinned per target).
        AdaptivePollingProxmoxModule.forRoot(),
        DemoObservabilityModule,
        TerminusModule.forRoot({ errorLogStyle: 'pretty' }),
      ],
      controllers: [DemoHealthController],
      providers: [{ provide: DEMO_ENVIRONMENT, useValue: demo }, DemoShutdown, AdaptivePollingHealthIndicator],
    };
  }
}
