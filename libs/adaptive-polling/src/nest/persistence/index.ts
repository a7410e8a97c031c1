/** The persistence integration, behind `nestjs-adaptive-polling/persistence`. */
export { AdaptivePollingPersistenceModule } from './adaptive-polling-persistence.module';
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
