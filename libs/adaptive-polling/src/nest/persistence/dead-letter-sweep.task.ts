import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { optionsForType } from '../../core/options';
import { targetKey } from '../../core/target';
import type { TargetPollState } from '../../core/types';
import { jobIdForTarget } from '../../engine/engine-keys';
import { encodeJobData } from '../../engine/job-state-codec';
import { PAUSED_DELAY_MS } from '../../engine/poll-processor';
import type { TargetSnapshot } from '../../engine/polling-engine';
import type { HousekeepingService } from '../housekeeping/housekeeping.service';
import type { PollingEngineHost } from '../polling-engine.host';
import { DatabaseConnection } from './database-connection';
import { DeadLetterEntryEntity } from './entities/dead-letter-entry.entity';
import { ADAPTIVE_POLLING_DATA_SOURCE } from './persistence.constants';
import { deadLetterRow, stateFromDeadLetterRow } from './persistence-rows';
import { PersistenceWriter } from './persistence-writer';
import { PollingModuleRefs } from '../polling-module-refs';

/** A parked target whose retry time passed this long ago without its attempt being due is nudged. */
const OVERDUE_GRACE_MS = 30_000;

/**
 * Housekeeping task: keeps the dead-letter queue in the database and in
 * Redis in step, and makes sure every parked target's retry attempt happens.
 * - a stored dead letter whose target has no job (Redis lost it) gets its job
 *   back, parked until its retry time;
 * - a parked target whose retry time passed, but whose job is not due, is run;
 * - Redis is the truth while the job exists: a dead letter Redis has and the
 *   database lacks (or has older) is written; one the target has left since
 *   (a write lost in a crash) is deleted, as is one of a removed target.
 */
@Injectable()
export class DeadLetterSweepTask implements OnModuleInit {
  static readonly taskName = 'dead-letter-sweep';

  private get host(): PollingEngineHost {
    return this.refs.host;
  }

  private get housekeeping(): HousekeepingService {
    return this.refs.housekeeping;
  }

  constructor(
    private readonly refs: PollingModuleRefs,
    private readonly connection: DatabaseConnection,
    private readonly writer: PersistenceWriter,
    @InjectRepository(DeadLetterEntryEntity, ADAPTIVE_POLLING_DATA_SOURCE)
    private readonly deadLetters: Repository<DeadLetterEntryEntity>,
  ) {}

  onModuleInit(): void {
    this.housekeeping.register({
      name: DeadLetterSweepTask.taskName,
      intervalMs: this.housekeeping.options.deadLetterSweepIntervalMs,
      run: () => this.run(),
    });
  }

  async run(): Promise<Record<string, number>> {
    const { engine, config } = this.host;
    const now = config.clock();
    const counts = { jobsRecreated: 0, retriesNudged: 0, written: 0, deleted: 0 };
    if (!(await this.connection.ensureOpen())) throw new Error(this.connection.lastError ?? 'database not connected');
    let rows: DeadLetterEntryEntity[];
    try {
      rows = await this.deadLetters.find({ where: { scope: this.writer.scope } });
    } catch (error) {
      // Only the scrubbed text goes on: the raw error may carry the database URL's password.
      // eslint-disable-next-line preserve-caught-error
      throw new Error(this.connection.recordError(error));
    }
    const stored = new Map(rows.map((row) => [row.targetKey, row]));
    const registryPresent = (await engine.redis.exists(engine.keys.targetsVersion)) === 1;
    const snapshots = new Map((await engine.snapshots()).map((s) => [targetKey(s.definition), s]));

    for (const [key, row] of stored) {
      const snap = snapshots.get(key);
      if (!snap) {
        // Only when the registry is really there: after a flush it is briefly absent.
        if (registryPresent && !(await engine.getTarget(key))) {
          this.writer.putState({ table: 'dead_letter', op: 'delete', key });
          counts.deleted++;
        }
        continue;
      }
      if (!snap.scheduled) {
        if (await this.recreateJob(snap, row, now)) counts.jobsRecreated++;
        continue;
      }
      const state = snap.state;
      // Left the dead-letter queue since (recovered): the database missed the delete.
      if (state && state.deadLetter === null && state.lastPollAtMs !== null && state.lastPollAtMs > row.updatedAtMs) {
        this.writer.putState({ table: 'dead_letter', op: 'delete', key });
        counts.deleted++;
      }
    }

    for (const [key, snap] of snapshots) {
      const state = snap.state;
      if (!snap.scheduled || !state?.deadLetter) continue;
      const row = stored.get(key);
      if (!row || row.retryAtMs !== state.deadLetter.retryAtMs || row.parkedCount !== state.deadLetter.parkedCount) {
        const fresh = deadLetterRow(key, snap.definition.type, state, state.lastPollAtMs ?? now);
        if (fresh) {
          this.writer.putState({ table: 'dead_letter', op: 'upsert', key, row: fresh });
          counts.written++;
        }
      }
      if (this.retryOverdue(snap, state, now) && (await engine.triggerNow(key))) counts.retriesNudged++;
    }
    return counts;
  }

  /** Retry time long passed, nothing else holding it back, yet its job waits for a later time. */
  private retryOverdue(snap: TargetSnapshot, state: TargetPollState, now: number): boolean {
    const deadLetter = state.deadLetter;
    if (!deadLetter || snap.definition.paused || snap.running) return false;
    if (deadLetter.retryAtMs + OVERDUE_GRACE_MS > now) return false;
    if (state.breaker.state === 'open' && (state.breaker.retryAtMs ?? 0) > now) return false;
    return state.nextRunAtMs !== null && state.nextRunAtMs > now;
  }

  /** Adds the job the engine would add, with the stored dead letter (a job that appeared meanwhile wins). */
  private async recreateJob(snap: TargetSnapshot, row: DeadLetterEntryEntity, now: number): Promise<boolean> {
    const key = targetKey(snap.definition);
    const state = stateFromDeadLetterRow(row, optionsForType(this.host.config.polling, snap.definition.type), now);
    const delay = snap.definition.paused ? PAUSED_DELAY_MS : Math.max(0, row.retryAtMs - now);
    const data = encodeJobData(key, now + delay, state);
    const queue = this.host.engine.queueOfTarget(key);
    if (await queue.getJob(jobIdForTarget(key))) return false;
    await queue.add(key, data, { jobId: jobIdForTarget(key), delay });
    return true;
  }
}
