import { Module, type DynamicModule } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { AdaptivePollingHealthIndicator } from 'nestjs-adaptive-polling/terminus';
import { AdaptivePollingModule } from 'nestjs-adaptive-polling';
import { AdaptivePollingConsoleModule } from 'nestjs-adaptive-polling/console';
import { AdaptivePollingPersistenceModule } from 'nestjs-adaptive-polling/persistence';
import type { DemoApiToken } from './demo-api-token';
import { CONSOLE_PATH } from './demo-paths';
import type { DemoEnvironment } from './demo-environment';
import { DemoHealthController } from './demo-health.controller';
import { DEMO_ENVIRONMENT, DemoShutdown } from './demo-shutdown';
import { FleetPollers } from './fleet-pollers';
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
              // A token the demo's pollers send; never printed or shown in health output.
              connection: { baseUrl: demo.simulatorUrl, token: 'demo-api-token-secret' },
              metadata: { fleetEntry: target.entry },
            })),
          }),
        }),
        DemoObservabilityModule,
        // The operator's console, behind the same API token (sign-in form or HTTP Basic).
        AdaptivePollingConsoleModule.forRoot({ path: CONSOLE_PATH }),
        TerminusModule.forRoot({ errorLogStyle: 'pretty' }),
      ],
      controllers: [DemoHealthController],
      providers: [FleetPollers, { provide: DEMO_ENVIRONMENT, useValue: demo }, DemoShutdown, AdaptivePollingHealthIndicator],
    };
  }
}
