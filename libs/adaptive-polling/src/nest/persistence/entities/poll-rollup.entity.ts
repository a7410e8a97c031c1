import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMsColumn, numberColumn } from './column-transformers';

/** Poll figures of one target over one clock hour. */
@Entity({ name: 'ap_poll_rollups' })
@Index('IDX_ap_poll_rollups_target_hour', ['scope', 'targetKey', 'hourStartMs'])
export class PollRollupEntity {
  /** Which polling queue the row belongs to (`<prefix>:<queueName>`), so apps sharing a database stay apart. */
  @PrimaryColumn({ type: 'varchar', length: 200, primaryKeyConstraintName: 'PK_ap_poll_rollups' })
  scope!: string;

  /** Start of the hour (epoch ms, UTC). */
  @PrimaryColumn({ name: 'hour_start_ms', type: 'bigint', transformer: epochMsColumn, primaryKeyConstraintName: 'PK_ap_poll_rollups' })
  hourStartMs!: number;

  @PrimaryColumn({ name: 'target_key', type: 'varchar', length: 300, primaryKeyConstraintName: 'PK_ap_poll_rollups' })
  targetKey!: string;

  @Column({ name: 'target_type', type: 'varchar', length: 64 })
  targetType!: string;

  @Column({ type: 'integer' })
  polls!: number;

  @Column({ type: 'integer' })
  failures!: number;

  /** Polls whose result differed from the previous one. */
  @Column({ name: 'data_changes', type: 'integer' })
  dataChanges!: number;

  /** Poll duration percentiles, ms (from a histogram with 10 % wide buckets). */
  @Column({ name: 'duration_p50_ms', type: 'double precision', nullable: true, transformer: numberColumn })
  durationP50Ms!: number | null;

  @Column({ name: 'duration_p95_ms', type: 'double precision', nullable: true, transformer: numberColumn })
  durationP95Ms!: number | null;

  @Column({ name: 'duration_max_ms', type: 'double precision', nullable: true, transformer: numberColumn })
  durationMaxMs!: number | null;

  /** Worst age of the target's data seen in the hour (time since its last successful poll), seconds. */
  @Column({ name: 'worst_staleness_seconds', type: 'double precision', nullable: true, transformer: numberColumn })
  worstStalenessSeconds!: number | null;

  @Column({ name: 'updated_at_ms', type: 'bigint', transformer: epochMsColumn })
  updatedAtMs!: number;
}
