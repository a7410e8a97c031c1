import { ConfigurableModuleBuilder, Logger, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ADAPTIVE_POLLING_PERSISTENCE_STATUS } from '../extension-points';
import { PollingModuleRefs } from '../polling-module-refs';
import { DatabaseConnection } from './database-connection';
import { DatabaseSecrets } from './database-secrets';
import { dataSourceOptions } from './data-source-options';
import { DeadLetterSweepTask } from './dead-letter-sweep.task';
import { PERSISTENCE_ENTITIES } from './entities';
import { ADAPTIVE_POLLING_DATA_SOURCE, ADAPTIVE_POLLING_PERSISTENCE_OPTIONS } from './persistence.constants';
import { resolvePersistenceOptions, type AdaptivePollingPersistenceOptions, type ResolvedPersistenceOptions } from './persistence-options';
import { PersistenceQueryService } from './persistence-query.service';
import { PersistenceRecorder } from './persistence-recorder';
import { PersistenceRecovery } from './persistence-recovery';
import { PersistenceWriter } from './persistence-writer';
import { PollRollupRecorder } from './rollups/poll-rollup.recorder';
import { RollupFlushTask } from './rollups/rollup-flush.task';

export const {
  ConfigurableModuleClass: AdaptivePollingPersistenceConfigurableModule,
  MODULE_OPTIONS_TOKEN: ADAPTIVE_POLLING_PERSISTENCE_MODULE_OPTIONS,
  OPTIONS_TYPE: ADAPTIVE_POLLING_PERSISTENCE_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: ADAPTIVE_POLLING_PERSISTENCE_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<AdaptivePollingPersistenceOptions>().setClassMethodName('forRoot').build();

function onPoolError(options: ResolvedPersistenceOptions): (error: unknown) => void {
  const secrets = new DatabaseSecrets(options.url);
  const logger = new Logger('AdaptivePollingPersistence');
  return (error) => logger.warn(`persistence: database connection error: ${secrets.describeError(error)}`);
}

/**
 * What must outlive Redis, in TypeORM (SQLite by default, PostgreSQL by URL):
 * dead letters, the audit trail, run-time targets and hourly rollups. Import
 * it next to AdaptivePollingModule; `forRootAsync` takes its URL from
 * ConfigService like any other Nest module:
 *
 * ```ts
 * AdaptivePollingPersistenceModule.forRootAsync({
 *   imports: [ConfigModule], inject: [ConfigService],
 *   useFactory: (config: ConfigService) => ({ url: config.get('DATABASE_URL') }),
 * })
 * ```
 *
 * It uses its own named TypeORM connection (`adaptive-polling`), so the host's
 * TypeORM is untouched. Global, so the polling module's health and metrics
 * see the database's state.
 */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      name: ADAPTIVE_POLLING_DATA_SOURCE,
      inject: [ADAPTIVE_POLLING_PERSISTENCE_OPTIONS],
      useFactory: (options: ResolvedPersistenceOptions) => dataSourceOptions(options, onPoolError(options)),
    }),
    TypeOrmModule.forFeature(PERSISTENCE_ENTITIES, ADAPTIVE_POLLING_DATA_SOURCE),
  ],
  providers: [
    {
      provide: ADAPTIVE_POLLING_PERSISTENCE_OPTIONS,
      inject: [ADAPTIVE_POLLING_PERSISTENCE_MODULE_OPTIONS],
      useFactory: (options: AdaptivePollingPersistenceOptions) => resolvePersistenceOptions(options),
    },
    PollingModuleRefs,
    DatabaseConnection,
    PersistenceWriter,
    { provide: ADAPTIVE_POLLING_PERSISTENCE_STATUS, useExisting: PersistenceWriter },
    PersistenceRecorder,
    PersistenceRecovery,
    PersistenceQueryService,
    PollRollupRecorder,
    RollupFlushTask,
    DeadLetterSweepTask,
  ],
  exports: [
    ADAPTIVE_POLLING_PERSISTENCE_OPTIONS,
    ADAPTIVE_POLLING_PERSISTENCE_STATUS,
    PersistenceQueryService,
    PersistenceWriter,
    DatabaseConnection,
    PollRollupRecorder,
  ],
})
export class AdaptivePollingPersistenceModule extends AdaptivePollingPersistenceConfigurableModule {
  static override forRoot(options: typeof ADAPTIVE_POLLING_PERSISTENCE_OPTIONS_TYPE) {
    return { ...super.forRoot(options), global: true };
  }

  static override forRootAsync(options: typeof ADAPTIVE_POLLING_PERSISTENCE_ASYNC_OPTIONS_TYPE) {
    return { ...super.forRootAsync(options), global: true };
  }
}
