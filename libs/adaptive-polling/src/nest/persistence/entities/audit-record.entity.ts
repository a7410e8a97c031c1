import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { epochMsColumn } from './column-transformers';

/** One audit record (operator action or engine transition); JSON fields as text. */
@Entity({ name: 'ap_audit_records' })
@Index('UQ_ap_audit_records_record_id', ['recordId'], { unique: true })
@Index('IDX_ap_audit_records_at', ['scope', 'atMs'])
@Index('IDX_ap_audit_records_target_at', ['scope', 'targetKey', 'atMs'])
export class AuditRecordEntity {
  @PrimaryGeneratedColumn({ type: 'integer', primaryKeyConstraintName: 'PK_ap_audit_records' })
  id!: number;

  /** Given when the record was buffered, so a retried batch never stores it twice. */
  @Column({ name: 'record_id', type: 'varchar', length: 36 })
  recordId!: string;

  /** Which polling queue the record belongs to (`<prefix>:<queueName>`). */
  @Column({ type: 'varchar', length: 200 })
  scope!: string;

  @Column({ name: 'at_ms', type: 'bigint', transformer: epochMsColumn })
  atMs!: number;

  @Column({ type: 'varchar', length: 200 })
  actor!: string;

  @Column({ type: 'varchar', length: 64 })
  action!: string;

  @Column({ name: 'target_key', type: 'varchar', length: 300, nullable: true })
  targetKey!: string | null;

  @Column({ name: 'before_json', type: 'text', nullable: true })
  beforeJson!: string | null;

  @Column({ name: 'after_json', type: 'text', nullable: true })
  afterJson!: string | null;

  @Column({ name: 'detail_json', type: 'text' })
  detailJson!: string;
}
