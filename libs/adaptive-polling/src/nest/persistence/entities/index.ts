import { AuditRecordEntity } from './audit-record.entity';
import { DeadLetterEntryEntity } from './dead-letter-entry.entity';
import { PollRollupEntity } from './poll-rollup.entity';
import { RuntimeTargetEntity } from './runtime-target.entity';

export { AuditRecordEntity, DeadLetterEntryEntity, PollRollupEntity, RuntimeTargetEntity };

/** Every entity of the library's connection. */
export const PERSISTENCE_ENTITIES = [DeadLetterEntryEntity, AuditRecordEntity, RuntimeTargetEntity, PollRollupEntity];
