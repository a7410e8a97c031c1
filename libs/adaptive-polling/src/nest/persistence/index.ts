import { Logger, type DynamicModule, type Provider, type Type } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ADAPTIVE_POLLING_PERSISTENCE_STATUS } from '../extension-points';
import { DatabaseConnection } from './database-connection';
import { DatabaseSecrets } from './database-secrets';
import { dataSourceOptions } from './data-source-options';
import { DeadLetterSweepTask } from './dead-letter-sweep.task';
import { PERSISTENCE_ENTITIES } from './entities';
import { ADAPTIVE_POLLING_DATA_SOURCE, ADAPTIVE_POLLING_PERSISTENCE_OPTIONS } from './persistence.constants';
import { resolvePersistenceOptions, type AdaptivePollingPersistenceOptions } from './persistence-options';
import { PersistenceQueryService } from './persistence-query.service';
import { PersistenceRecorder } from './persistence-recorder';
import { PersistenceRecovery } from './persistence-recovery';
import { PersistenceWriter } from './persistence-writer';
import { PollRollupRecorder } from './rollups/poll-rollup.recorder';
import { RollupFlushTask } from './rollups/rollup-flush.task';

export interface PersistenceParts {
  imports: DynamicModule[];
  providers: Provider[];
  exports: Array<Type<unknown> | string | symbol>;
}

/**
 * Imports and providers for persistence, added by AdaptivePollingModule when
 * `persistence` is set: the library's own named TypeORM connection
 * (`adaptive-polling`, so the host's TypeORM is untouched), its entities,
 * the write-behind writer, the recovery hooks and the housekeeping tasks
 * that need the database.
 */
export function persistenceParts(options: AdaptivePollingPersistenceOptions | false): PersistenceParts {
  if (!options) return { imports: [], providers: [], exports: [] };
  const resolved = resolvePersistenceOptions(options);
  const secrets = new DatabaseSecrets(resolved.url);
  const logger = new Logger('AdaptivePollingPersistence');
  const onPoolError = (error: unknown) => logger.warn(`persistence: database connection error: ${secrets.describeError(error)}`);
  return {
    imports: [
      TypeOrmModule.forRoot(dataSourceOptions(resolved, onPoolError)),
      TypeOrmModule.forFeature(PERSISTENCE_ENTITIES, ADAPTIVE_POLLING_DATA_SOURCE),
    ],
    providers: [
      { provide: ADAPTIVE_POLLING_PERSISTENCE_OPTIONS, useValue: resolved },
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
      ADAPTIVE_POLLING_PERSISTENCE_STATUS,
      PersistenceQueryService,
      PersistenceWriter,
      DatabaseConnection,
      PollRollupRecorder,
    ],
  };
}

export { ADAPTIVE_POLLING_DATA_SOURCE } from './persistence.constants';
export { PERSISTENCE_ENTITIES } from './entities';
export { PERSISTENCE_MIGRATIONS } from './migrations';
export { DatabaseConnection } from './database-connection';
export { PersistenceWriter, type PersistenceWriterStatus } from './persistence-writer';
export { PersistenceQueryService, type AuditQuery, type PollRollup, type StoredDeadLetter } from './persistence-query.service';
export { PollRollupRecorder } from './rollups/poll-rollup.recorder';
export { RollupFlushTask } from './rollups/rollup-flush.task';
export { DeadLetterSweepTask } from './dead-letter-sweep.task';
export type { AdaptivePollingPersistenceOptions } from './persistence-options';
