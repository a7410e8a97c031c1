/**
 * `nestjs-adaptive-polling/persistence`: dead letters, the audit trail,
 * run-time targets and hourly rollups in TypeORM (SQLite through
 * better-sqlite3 by default, PostgreSQL through pg by URL).
 */
import { requireOptionalPeers } from './nest/optional-peers';

requireOptionalPeers('nestjs-adaptive-polling/persistence', ['typeorm', '@nestjs/typeorm']);

export { AdaptivePollingPersistenceModule } from './nest/persistence/adaptive-polling-persistence.module';
export { type AdaptivePollingPersistenceOptions, validatePersistenceOptions } from './nest/persistence/persistence-options';
export {
  PersistenceQueryService,
  type AuditQuery,
  type PollRollup,
  type StoredDeadLetter,
} from './nest/persistence/persistence-query.service';
export { ADAPTIVE_POLLING_DATA_SOURCE } from './nest/persistence/persistence.constants';
export { PERSISTENCE_ENTITIES } from './nest/persistence/entities';
export { PERSISTENCE_MIGRATIONS } from './nest/persistence/migrations';
