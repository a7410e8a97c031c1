import { Column, Entity, PrimaryColumn } from 'typeorm';
import { epochMsColumn } from './column-transformers';

/**
 * A target registered at run time (not in the module options), re-registered
 * at start-up. The definition JSON includes its connection details, which the
 * poller needs: stored as data, never logged or shown.
 */
@Entity({ name: 'ap_runtime_targets' })
export class RuntimeTargetEntity {
  /** Which polling queue the row belongs to (`<prefix>:<queueName>`), so apps sharing a database stay apart. */
  @PrimaryColumn({ type: 'varchar', length: 200, primaryKeyConstraintName: 'PK_ap_runtime_targets' })
  scope!: string;

  @PrimaryColumn({ name: 'target_key', type: 'varchar', length: 300, primaryKeyConstraintName: 'PK_ap_runtime_targets' })
  targetKey!: string;

  @Column({ name: 'target_type', type: 'varchar', length: 64 })
  targetType!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  /** The whole TargetDefinition as JSON (paused included). */
  @Column({ name: 'definition_json', type: 'text' })
  definitionJson!: string;

  @Column({ type: 'boolean' })
  paused!: boolean;

  @Column({ name: 'created_at_ms', type: 'bigint', transformer: epochMsColumn })
  createdAtMs!: number;

  @Column({ name: 'updated_at_ms', type: 'bigint', transformer: epochMsColumn })
  updatedAtMs!: number;
}
