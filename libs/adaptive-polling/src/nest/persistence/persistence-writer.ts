import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { In, type EntityManager } from 'typeorm';
import {
  ADAPTIVE_POLLING_WRITE_FAILURE_COUNTER,
  type PersistenceStatus,
  type PersistenceStatusSource,
  type PersistenceWriteFailureCounter,
} from '../extension-points';
import { PollingModuleRefs } from '../polling-module-refs';
import { DatabaseConnection } from './database-connection';
import { AuditRecordEntity } from './entities/audit-record.entity';
import { DeadLetterEntryEntity } from './entities/dead-letter-entry.entity';
import { RuntimeTargetEntity } from './entities/runtime-target.entity';
import { ADAPTIVE_POLLING_PERSISTENCE_OPTIONS } from './persistence.constants';
import { persistenceMessages } from './persistence-messages';
import type { ResolvedPersistenceOptions } from './persistence-options';
import { persistenceScope, stateWriteSlot, type AuditRow, type StateWrite } from './persistence-writes';
import { WriteBuffer, type WriteBatch } from './write-buffer';

/** How long shutdown keeps trying to write what is still buffered, ms. */
const SHUTDOWN_FLUSH_BUDGET_MS = 5_000;

/** The persistence status with the buffer's own figures. */
export interface PersistenceWriterStatus extends PersistenceStatus {
  /** Audit records dropped because the buffer was full (since start). */
  droppedWrites: number;
  /** Failed write attempts (since start). */
  writeFailures: number;
  /** Where the data is kept (secret-free). */
  database: string;
}

/**
 * Write-behind to the database: callers (engine event listeners) only queue
 * in memory, so no database call is ever on the poll path. Queued writes are
 * flushed in one transaction every `flushIntervalMs`, or at once when
 * `batchSize` are waiting. A failed flush keeps the batch and retries with
 * doubling delays (up to `retryMaxDelayMs`); the status (and the metrics)
 * show the outage until a write succeeds again. See WriteBuffer for what is
 * kept and what is dropped when the buffer is full.
 */
@Injectable()
export class PersistenceWriter implements PersistenceStatusSource, OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('AdaptivePollingPersistence');
  private readonly buffer: WriteBuffer<StateWrite, AuditRow>;
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<boolean> | null = null;
  /** Outcome of the last write or probe; null before the first. */
  private up: boolean | null = null;
  private consecutiveFailures = 0;
  private totalFailures = 0;
  private downSinceMs: number | null = null;
  private lastProbeAtMs = 0;
  private droppedReported = 0;
  private stopped = false;
  /** Looked up, not injected: the metrics service reads this writer's status (a cycle otherwise). */
  private metrics: PersistenceWriteFailureCounter | null = null;
  private ownScope: string | null = null;

  constructor(
    private readonly refs: PollingModuleRefs,
    private readonly connection: DatabaseConnection,
    @Inject(ADAPTIVE_POLLING_PERSISTENCE_OPTIONS) private readonly options: ResolvedPersistenceOptions,
  ) {
    this.buffer = new WriteBuffer(options.maxBufferedRecords);
  }

  /** Every row this writer stores belongs to this app's queue. */
  get scope(): string {
    this.ownScope ??= persistenceScope(this.refs.host.config);
    return this.ownScope;
  }

  onModuleInit(): void {
    this.metrics = this.refs.optional<PersistenceWriteFailureCounter>(ADAPTIVE_POLLING_WRITE_FAILURE_COUNTER); // null: metrics not wired in this app
    this.schedule(this.options.flushIntervalMs);
  }

  // ---------------------------------------------------------------------------
  // Queueing (synchronous, never touches the database)
  // ---------------------------------------------------------------------------

  putState(write: StateWrite): void {
    this.buffer.putKeyed(stateWriteSlot(write.table, write.key), write);
    this.afterEnqueue();
  }

  appendAudit(row: Omit<AuditRow, 'recordId'>): void {
    this.buffer.append({ ...row, recordId: randomUUID() });
    this.afterEnqueue();
  }

  /** A state write for `key` still waiting in memory (e.g. a dead letter Redis lost before it was written). */
  pendingState(table: StateWrite['table'], key: string): StateWrite | undefined {
    return this.buffer.peekKeyed(stateWriteSlot(table, key));
  }

  // ---------------------------------------------------------------------------
  // Status
  // ---------------------------------------------------------------------------

  status(): PersistenceWriterStatus {
    return {
      up: this.up ?? this.connection.ready,
      pendingWrites: this.buffer.size(),
      lastErrorAtMs: this.connection.lastErrorAtMs,
      lastError: this.connection.lastError,
      droppedWrites: this.buffer.dropped(),
      writeFailures: this.totalFailures,
      database: this.connection.description,
    };
  }

  /** Writes everything buffered now; true when the buffer is empty afterwards. */
  async flushNow(): Promise<boolean> {
    // A flush already running holds writes taken out of the buffer: wait for it first.
    if (this.flushing && !(await this.flushing)) return false;
    while (this.buffer.size() > 0) {
      if (!(await this.flushOnce())) return false;
    }
    return true;
  }

  async onApplicationShutdown(): Promise<void> {
    // Runs after the engine stopped (its events are all queued by now) and
    // before TypeOrmModule closes the connection.
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.flushing) await this.flushing;
    const deadline = Date.now() + SHUTDOWN_FLUSH_BUDGET_MS;
    while (this.buffer.size() > 0 && Date.now() < deadline) {
      if (!(await this.flushOnce())) break;
    }
    if (this.buffer.size() > 0) {
      this.logger.warn(persistenceMessages.lostAtShutdown(this.buffer.size(), this.connection.lastError ?? 'database unreachable'));
    }
  }

  // ---------------------------------------------------------------------------
  // Flushing
  // ---------------------------------------------------------------------------

  private afterEnqueue(): void {
    this.reportDrops();
    // A full batch goes out at once, unless a flush runs or we are backing off.
    if (this.buffer.size() >= this.options.batchSize && !this.flushing && this.consecutiveFailures === 0) this.schedule(0);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.tick();
    }, delayMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    let ok: boolean;
    if (this.buffer.size() > 0) {
      ok = await this.flushOnce();
    } else if (Date.now() - this.lastProbeAtMs >= this.options.probeIntervalMs) {
      ok = await this.probe();
    } else {
      ok = true;
    }
    if (ok) {
      this.schedule(this.buffer.size() >= this.options.batchSize ? 0 : this.options.flushIntervalMs);
    } else {
      const delay = Math.min(
        this.options.retryInitialDelayMs * 2 ** Math.min(this.consecutiveFailures - 1, 30),
        this.options.retryMaxDelayMs,
      );
      this.schedule(delay);
    }
  }

  /** One batch in one transaction. */
  private flushOnce(): Promise<boolean> {
    this.flushing ??= this.writeBatch().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  private async writeBatch(): Promise<boolean> {
    if (this.buffer.size() === 0) return true;
    const batch = this.buffer.take(this.options.batchSize);
    try {
      if (!(await this.connection.ensureOpen())) throw new Error(this.connection.lastError ?? 'database not connected');
      await this.connection.dataSource.transaction((manager) => applyBatch(manager, batch, this.scope));
      this.succeeded(batch.keyed.length + batch.records.length);
      return true;
    } catch (error) {
      this.buffer.restore(batch);
      this.failed(error);
      return false;
    }
  }

  private async probe(): Promise<boolean> {
    this.lastProbeAtMs = Date.now();
    try {
      if (!(await this.connection.ensureOpen())) throw new Error(this.connection.lastError ?? 'database not connected');
      await this.connection.dataSource.query('SELECT 1');
      this.succeeded(0);
      return true;
    } catch (error) {
      this.failed(error);
      return false;
    }
  }

  private succeeded(written: number): void {
    if (this.downSinceMs !== null) {
      this.logger.log(persistenceMessages.recovered(written, Date.now() - this.downSinceMs));
      this.downSinceMs = null;
    }
    this.up = true;
    this.consecutiveFailures = 0;
  }

  private failed(error: unknown): void {
    const text = this.connection.recordError(error);
    this.up = false;
    this.consecutiveFailures += 1;
    this.totalFailures += 1;
    this.metrics?.incPersistenceWriteFailures(1);
    this.downSinceMs ??= Date.now();
    // One line per outage, then every 10th retry.
    if (this.consecutiveFailures === 1 || this.consecutiveFailures % 10 === 0) {
      const retryIn = Math.min(
        this.options.retryInitialDelayMs * 2 ** Math.min(this.consecutiveFailures - 1, 30),
        this.options.retryMaxDelayMs,
      );
      this.logger.warn(persistenceMessages.writeFailed(this.buffer.size(), retryIn, text));
    }
  }

  private reportDrops(): void {
    const dropped = this.buffer.dropped();
    if (dropped === this.droppedReported) return;
    // Once when dropping starts, then every 1000 drops.
    if (this.droppedReported === 0 || Math.floor(dropped / 1000) > Math.floor(this.droppedReported / 1000)) {
      this.logger.warn(persistenceMessages.recordsDropped(dropped, this.options.maxBufferedRecords));
    }
    this.droppedReported = dropped;
  }
}

const RUNTIME_TARGET_UPDATED_COLUMNS = ['target_type', 'name', 'definition_json', 'paused', 'updated_at_ms'];
const DEAD_LETTER_UPDATED_COLUMNS = [
  'target_type',
  'reason',
  'last_error',
  'failures',
  'entered_at_ms',
  'retry_at_ms',
  'parked_count',
  'updated_at_ms',
  'state_json',
];

async function applyBatch(manager: EntityManager, batch: WriteBatch<StateWrite, AuditRow>, scope: string): Promise<void> {
  const deadLetterUpserts: DeadLetterEntryEntity[] = [];
  const deadLetterDeletes: string[] = [];
  const targetUpserts: RuntimeTargetEntity[] = [];
  const targetDeletes: string[] = [];
  for (const { write } of batch.keyed) {
    if (write.table === 'dead_letter') {
      if (write.op === 'upsert') deadLetterUpserts.push({ ...write.row, scope });
      else deadLetterDeletes.push(write.key);
    } else if (write.op === 'upsert') {
      targetUpserts.push({ ...write.row, scope });
    } else {
      targetDeletes.push(write.key);
    }
  }
  if (deadLetterUpserts.length > 0) {
    await manager
      .createQueryBuilder()
      .insert()
      .into(DeadLetterEntryEntity)
      .values(deadLetterUpserts)
      .orUpdate(DEAD_LETTER_UPDATED_COLUMNS, ['scope', 'target_key'])
      .execute();
  }
  if (deadLetterDeletes.length > 0) await manager.delete(DeadLetterEntryEntity, { scope, targetKey: In(deadLetterDeletes) });
  if (targetUpserts.length > 0) {
    await manager
      .createQueryBuilder()
      .insert()
      .into(RuntimeTargetEntity)
      .values(targetUpserts)
      .orUpdate(RUNTIME_TARGET_UPDATED_COLUMNS, ['scope', 'target_key'])
      .execute();
  }
  if (targetDeletes.length > 0) await manager.delete(RuntimeTargetEntity, { scope, targetKey: In(targetDeletes) });
  if (batch.records.length > 0) {
    // A batch retried after an ambiguous failure must not store a record twice.
    await manager
      .createQueryBuilder()
      .insert()
      .into(AuditRecordEntity)
      .values(batch.records.map((record) => ({ ...record, scope })))
      .orIgnore()
      .execute();
  }
}
