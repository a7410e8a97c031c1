import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/**
 * The first schema: dead letters, audit trail, run-time targets and hourly
 * poll rollups. Written with TypeORM's Table API so one migration runs on
 * SQLite (better-sqlite3) and PostgreSQL alike, in the configured schema.
 * Epoch milliseconds are `bigint`; JSON is stored as text.
 */
export class CreateAdaptivePollingTables1766448000000 implements MigrationInterface {
  name = 'CreateAdaptivePollingTables1766448000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'ap_dead_letters',
        columns: [
          { name: 'scope', type: 'varchar', length: '200', isPrimary: true, primaryKeyConstraintName: 'PK_ap_dead_letters' },
          { name: 'target_key', type: 'varchar', length: '300', isPrimary: true, primaryKeyConstraintName: 'PK_ap_dead_letters' },
          { name: 'target_type', type: 'varchar', length: '64' },
          { name: 'reason', type: 'varchar', length: '32' },
          { name: 'last_error', type: 'text' },
          { name: 'failures', type: 'integer' },
          { name: 'entered_at_ms', type: 'bigint' },
          { name: 'retry_at_ms', type: 'bigint' },
          { name: 'parked_count', type: 'integer' },
          { name: 'updated_at_ms', type: 'bigint' },
          { name: 'state_json', type: 'text', isNullable: true },
        ],
      }),
      true,
    );

    await queryRunner.createTable(
      new Table({
        name: 'ap_audit_records',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
            primaryKeyConstraintName: 'PK_ap_audit_records',
          },
          { name: 'record_id', type: 'varchar', length: '36' },
          { name: 'scope', type: 'varchar', length: '200' },
          { name: 'at_ms', type: 'bigint' },
          { name: 'actor', type: 'varchar', length: '200' },
          { name: 'action', type: 'varchar', length: '64' },
          { name: 'target_key', type: 'varchar', length: '300', isNullable: true },
          { name: 'before_json', type: 'text', isNullable: true },
          { name: 'after_json', type: 'text', isNullable: true },
          { name: 'detail_json', type: 'text' },
        ],
        indices: [
          new TableIndex({ name: 'UQ_ap_audit_records_record_id', columnNames: ['record_id'], isUnique: true }),
          new TableIndex({ name: 'IDX_ap_audit_records_at', columnNames: ['scope', 'at_ms'] }),
          new TableIndex({ name: 'IDX_ap_audit_records_target_at', columnNames: ['scope', 'target_key', 'at_ms'] }),
        ],
      }),
      true,
    );

    await queryRunner.createTable(
      new Table({
        name: 'ap_runtime_targets',
        columns: [
          { name: 'scope', type: 'varchar', length: '200', isPrimary: true, primaryKeyConstraintName: 'PK_ap_runtime_targets' },
          { name: 'target_key', type: 'varchar', length: '300', isPrimary: true, primaryKeyConstraintName: 'PK_ap_runtime_targets' },
          { name: 'target_type', type: 'varchar', length: '64' },
          { name: 'name', type: 'varchar', length: '200' },
          { name: 'definition_json', type: 'text' },
          { name: 'paused', type: 'boolean' },
          { name: 'created_at_ms', type: 'bigint' },
          { name: 'updated_at_ms', type: 'bigint' },
        ],
      }),
      true,
    );

    await queryRunner.createTable(
      new Table({
        name: 'ap_poll_rollups',
        columns: [
          { name: 'scope', type: 'varchar', length: '200', isPrimary: true, primaryKeyConstraintName: 'PK_ap_poll_rollups' },
          { name: 'hour_start_ms', type: 'bigint', isPrimary: true, primaryKeyConstraintName: 'PK_ap_poll_rollups' },
          { name: 'target_key', type: 'varchar', length: '300', isPrimary: true, primaryKeyConstraintName: 'PK_ap_poll_rollups' },
          { name: 'target_type', type: 'varchar', length: '64' },
          { name: 'polls', type: 'integer' },
          { name: 'failures', type: 'integer' },
          { name: 'data_changes', type: 'integer' },
          { name: 'duration_p50_ms', type: 'double precision', isNullable: true },
          { name: 'duration_p95_ms', type: 'double precision', isNullable: true },
          { name: 'duration_max_ms', type: 'double precision', isNullable: true },
          { name: 'worst_staleness_seconds', type: 'double precision', isNullable: true },
          { name: 'updated_at_ms', type: 'bigint' },
        ],
        indices: [new TableIndex({ name: 'IDX_ap_poll_rollups_target_hour', columnNames: ['scope', 'target_key', 'hour_start_ms'] })],
      }),
      true,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['ap_poll_rollups', 'ap_runtime_targets', 'ap_audit_records', 'ap_dead_letters']) {
      await queryRunner.dropTable(table, true);
    }
  }
}
