import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Between, MoreThanOrEqual, type FindOptionsWhere, type Repository } from 'typeorm';
import type { TargetDefinition } from '../../core/target';
import type { AuditRecord } from '../audit/audit-record';
import { AuditRecordEntity } from './entities/audit-record.entity';
import { DeadLetterEntryEntity } from './entities/dead-letter-entry.entity';
import { PollRollupEntity } from './entities/poll-rollup.entity';
import { RuntimeTargetEntity } from './entities/runtime-target.entity';
import { ADAPTIVE_POLLING_DATA_SOURCE } from './persistence.constants';
import { auditRecordFromRow, definitionFromRow } from './persistence-rows';
import { PersistenceWriter } from './persistence-writer';

/** A stored dead letter, as the database has it. */
export interface StoredDeadLetter {
  key: string;
  type: string;
  reason: string;
  lastError: string;
  failures: number;
  enteredAtMs: number;
  retryAtMs: number;
  parkedCount: number;
  updatedAtMs: number;
}

/** One target's poll figures over one hour. */
export interface PollRollup {
  hourStartMs: number;
  key: string;
  type: string;
  polls: number;
  failures: number;
  dataChanges: number;
  durationP50Ms: number | null;
  durationP95Ms: number | null;
  durationMaxMs: number | null;
  worstStalenessSeconds: number | null;
}

export interface AuditQuery {
  /** Only records of this target. */
  target?: string;
  /** Only records at or after this time. */
  sinceMs?: number;
  /** Most recent N (default 100, at most 1000). */
  limit?: number;
}

/**
 * Reads what the database keeps: dead letters, the audit trail, run-time
 * targets and hourly poll rollups of this app's queue. Throws when the
 * database is unreachable.
 */
@Injectable()
export class PersistenceQueryService {
  private readonly scope: string;

  constructor(
    writer: PersistenceWriter,
    @InjectRepository(DeadLetterEntryEntity, ADAPTIVE_POLLING_DATA_SOURCE)
    private readonly deadLetterRepo: Repository<DeadLetterEntryEntity>,
    @InjectRepository(AuditRecordEntity, ADAPTIVE_POLLING_DATA_SOURCE)
    private readonly auditRepo: Repository<AuditRecordEntity>,
    @InjectRepository(RuntimeTargetEntity, ADAPTIVE_POLLING_DATA_SOURCE)
    private readonly targetRepo: Repository<RuntimeTargetEntity>,
    @InjectRepository(PollRollupEntity, ADAPTIVE_POLLING_DATA_SOURCE)
    private readonly rollupRepo: Repository<PollRollupEntity>,
  ) {
    this.scope = writer.scope;
  }

  /** Stored dead letters, soonest retry first. */
  async deadLetters(): Promise<StoredDeadLetter[]> {
    const rows = await this.deadLetterRepo.find({ where: { scope: this.scope }, order: { retryAtMs: 'ASC', targetKey: 'ASC' } });
    return rows.map((row) => ({
      key: row.targetKey,
      type: row.targetType,
      reason: row.reason,
      lastError: row.lastError,
      failures: row.failures,
      enteredAtMs: row.enteredAtMs,
      retryAtMs: row.retryAtMs,
      parkedCount: row.parkedCount,
      updatedAtMs: row.updatedAtMs,
    }));
  }

  /** Audit records, oldest first among the most recent `limit`. */
  async auditRecords(query: AuditQuery = {}): Promise<AuditRecord[]> {
    const where: FindOptionsWhere<AuditRecordEntity> = { scope: this.scope };
    if (query.target !== undefined) where.targetKey = query.target;
    if (query.sinceMs !== undefined) where.atMs = MoreThanOrEqual(query.sinceMs);
    const limit = Math.min(Math.max(1, Math.floor(query.limit ?? 100)), 1000);
    const rows = await this.auditRepo.find({ where, order: { atMs: 'DESC', id: 'DESC' }, take: limit });
    return rows.reverse().map(auditRecordFromRow);
  }

  /** Targets registered at run time, with their stored definitions (connection details included). */
  async runtimeTargets(): Promise<TargetDefinition[]> {
    const rows = await this.targetRepo.find({ where: { scope: this.scope }, order: { targetKey: 'ASC' } });
    return rows.map(definitionFromRow).filter((d): d is TargetDefinition => d !== null);
  }

  /** Hourly rollups, oldest hour first; optionally of one target and within [fromMs, toMs]. */
  async rollups(query: { target?: string; fromMs?: number; toMs?: number } = {}): Promise<PollRollup[]> {
    const where: FindOptionsWhere<PollRollupEntity> = { scope: this.scope };
    if (query.target !== undefined) where.targetKey = query.target;
    if (query.fromMs !== undefined || query.toMs !== undefined) {
      where.hourStartMs = Between(query.fromMs ?? 0, query.toMs ?? Number.MAX_SAFE_INTEGER);
    }
    const rows = await this.rollupRepo.find({ where, order: { hourStartMs: 'ASC', targetKey: 'ASC' } });
    return rows.map((row) => ({
      hourStartMs: row.hourStartMs,
      key: row.targetKey,
      type: row.targetType,
      polls: row.polls,
      failures: row.failures,
      dataChanges: row.dataChanges,
      durationP50Ms: row.durationP50Ms,
      durationP95Ms: row.durationP95Ms,
      durationMaxMs: row.durationMaxMs,
      worstStalenessSeconds: row.worstStalenessSeconds,
    }));
  }
}
