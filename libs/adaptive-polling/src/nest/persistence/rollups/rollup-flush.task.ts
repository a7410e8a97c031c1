import { Injectable, type OnModuleInit } from '@nestjs/common';
import { targetKey } from '../../../core/target';
import type { HousekeepingService } from '../../housekeeping/housekeeping.service';
import type { PollingEngineHost } from '../../polling-engine.host';
import { DatabaseConnection } from '../database-connection';
import { PollRollupEntity } from '../entities/poll-rollup.entity';
import { persistenceMessages } from '../persistence-messages';
import { persistenceScope } from '../persistence-writes';
import { HOUR_MS, ROLLUP_VERSION_FIELD } from './rollup-keys';
import { PollRollupRecorder } from './poll-rollup.recorder';
import { rollupRows } from './rollup-rows';
import { PollingModuleRefs } from '../../polling-module-refs';

/** An hour is final this long after it ended (late polls, clock skew between replicas). */
const FINAL_AFTER_HOUR_END_MS = 5 * 60_000;
/** A final hour's figures stay in Redis this long after they were written, ms. */
const KEEP_FINAL_HOUR_MS = 2 * HOUR_MS;
const ROWS_PER_INSERT = 100;
const ROLLUP_UPDATED_COLUMNS = [
  'target_type',
  'polls',
  'failures',
  'data_changes',
  'duration_p50_ms',
  'duration_p95_ms',
  'duration_max_ms',
  'worst_staleness_seconds',
  'updated_at_ms',
];

// Retire an hour only if nothing was added since it was read.
const FINALIZE_HOUR = `
if redis.call('HGET', KEYS[1], '${ROLLUP_VERSION_FIELD}') == ARGV[1] then
  redis.call('ZREM', KEYS[2], ARGV[2])
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  return 1
end
return 0
`;

/**
 * Housekeeping task: writes the hourly poll figures from Redis to the
 * database (the current hour too, so the table is never more than one period
 * behind). Rows are recomputed from the cumulative figures and upserted, so
 * running it twice is harmless. An hour is retired from Redis only after its
 * final figures were written; while the database is down they wait in Redis.
 */
@Injectable()
export class RollupFlushTask implements OnModuleInit {
  static readonly taskName = 'rollups';

  private get host(): PollingEngineHost {
    return this.refs.host;
  }

  private get housekeeping(): HousekeepingService {
    return this.refs.housekeeping;
  }

  constructor(
    private readonly refs: PollingModuleRefs,
    private readonly recorder: PollRollupRecorder,
    private readonly connection: DatabaseConnection,
  ) {}

  onModuleInit(): void {
    this.housekeeping.register({
      name: RollupFlushTask.taskName,
      intervalMs: this.housekeeping.options.rollupFlushIntervalMs,
      run: () => this.run(),
    });
  }

  async run(): Promise<Record<string, number>> {
    const redis = this.host.engine.redis;
    const keys = this.recorder.keys;
    const now = this.host.config.clock();
    if (!(await this.connection.ensureOpen())) {
      throw new Error(persistenceMessages.rollupFlushFailed(this.connection.lastError ?? 'database not connected'));
    }
    let rowsWritten = 0;
    let hoursFinalised = 0;
    for (const hour of await redis.zrange(keys.hours, 0, -1)) {
      const hourStartMs = Number(hour);
      const hourKey = keys.hour(hourStartMs);
      const fields = await redis.hgetall(hourKey);
      if (Object.keys(fields).length === 0) {
        await redis.zrem(keys.hours, hour); // expired
        continue;
      }
      const rows = rollupRows(fields, hourStartMs, now, persistenceScope(this.host.config));
      try {
        await this.upsert(rows);
      } catch (error) {
        // Only the scrubbed text goes on: the raw error may carry the database URL's password.
        // eslint-disable-next-line preserve-caught-error
        throw new Error(persistenceMessages.rollupFlushFailed(this.connection.recordError(error)));
      }
      rowsWritten += rows.length;
      if (hourStartMs + HOUR_MS + FINAL_AFTER_HOUR_END_MS <= now) {
        const version = fields[ROLLUP_VERSION_FIELD] ?? '';
        hoursFinalised +=
          (await redis.eval(FINALIZE_HOUR, 2, hourKey, keys.hours, version, hour, String(KEEP_FINAL_HOUR_MS))) === 1 ? 1 : 0;
      }
    }
    return { rowsWritten, hoursFinalised, lastSuccessPruned: await this.pruneLastSuccess() };
  }

  private async upsert(rows: PollRollupEntity[]): Promise<void> {
    for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
      await this.connection.dataSource
        .createQueryBuilder()
        .insert()
        .into(PollRollupEntity)
        .values(rows.slice(i, i + ROWS_PER_INSERT))
        .orUpdate(ROLLUP_UPDATED_COLUMNS, ['scope', 'hour_start_ms', 'target_key'])
        .execute();
    }
  }

  /** Forgets the last-success times of targets that no longer exist. */
  private async pruneLastSuccess(): Promise<number> {
    const { engine } = this.host;
    const redis = engine.redis;
    if ((await redis.exists(engine.keys.targetsVersion)) === 0) return 0;
    const known = new Set((await engine.listTargets()).map((def) => targetKey(def)));
    const stale = (await redis.hkeys(this.recorder.keys.lastSuccess)).filter((key) => !known.has(key));
    return stale.length > 0 ? redis.hdel(this.recorder.keys.lastSuccess, ...stale) : 0;
  }
}
