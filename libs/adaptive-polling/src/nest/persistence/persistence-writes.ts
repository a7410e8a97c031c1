import type { AuditRecordEntity } from './entities/audit-record.entity';
import type { DeadLetterEntryEntity } from './entities/dead-letter-entry.entity';
import type { RuntimeTargetEntity } from './entities/runtime-target.entity';

/** Rows as callers build them; the writer adds the scope (its queue). */
export type DeadLetterRow = Omit<DeadLetterEntryEntity, 'scope'>;
export type RuntimeTargetRow = Omit<RuntimeTargetEntity, 'scope'>;
export type AuditRow = Omit<AuditRecordEntity, 'id' | 'scope'>;

/** Rows of one polling queue: `<prefix>:<queueName>`, as its Redis keys. */
export function persistenceScope(config: { prefix: string; queueName: string }): string {
  return `${config.prefix}:${config.queueName}`;
}

/** A state write: the latest per target and table wins (see WriteBuffer). */
export type StateWrite =
  | { table: 'dead_letter'; op: 'upsert'; key: string; row: DeadLetterRow }
  | { table: 'dead_letter'; op: 'delete'; key: string }
  | { table: 'runtime_target'; op: 'upsert'; key: string; row: RuntimeTargetRow }
  | { table: 'runtime_target'; op: 'delete'; key: string };

export function stateWriteSlot(table: StateWrite['table'], key: string): string {
  return `${table}|${key}`;
}
