import { Column, Entity, PrimaryColumn } from 'typeorm';
import { epochMsColumn } from './column-transformers';

/** A parked target (one row per target), kept so the dead-letter queue survives restarts and Redis loss. */
@Entity({ name: 'ap_dead_letters' })
export class DeadLetterEntryEntity {
  /** Which polling queue the row belongs to (`<prefix>:<queueName>`), so apps sharing a database stay apart. */
  @PrimaryColumn({ type: 'varchar', length: 200, primaryKeyConstraintName: 'PK_ap_dead_letters' })
  scope!: string;

  @PrimaryColumn({ name: 'target_key', type: 'varchar', length: 300, primaryKeyConstraintName: 'PK_ap_dead_letters' })
  targetKey!: string;

  @Column({ name: 'target_type', type: 'varchar', length: 64 })
  targetType!: string;

  /** `max_retry_attempts`, `permanent_failure` or `stalled`. */
  @Column({ type: 'varchar', length: 32 })
  reason!: string;

  /** Secret-free (redacted) message of the last failure. */
  @Column({ name: 'last_error', type: 'text' })
  lastError!: string;

  @Column({ type: 'integer' })
  failures!: number;

  @Column({ name: 'entered_at_ms', type: 'bigint', transformer: epochMsColumn })
  enteredAtMs!: number;

  @Column({ name: 'retry_at_ms', type: 'bigint', transformer: epochMsColumn })
  retryAtMs!: number;

  @Column({ name: 'parked_count', type: 'integer' })
  parkedCount!: number;

  @Column({ name: 'updated_at_ms', type: 'bigint', transformer: epochMsColumn })
  updatedAtMs!: number;

  /** The target's whole poll state when it was parked (JSON), so a re-created job starts exactly there. */
  @Column({ name: 'state_json', type: 'text', nullable: true })
  stateJson!: string | null;
}
