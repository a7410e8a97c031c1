import type { Queue } from 'bullmq';
import type { RedisClient } from './redis-connection';
import { earliestDelayedDueMs, wakeQueueWorkers } from './bullmq-internals';

/** A shard whose earliest job is this late gets its workers woken. */
export const OVERDUE_WAKE_MS = 1_000;
/** A shard still this late after a wake, with nothing running, gets its worker replaced. */
export const OVERDUE_REPLACE_MS = 4_000;

export type ShardVerdict = 'ok' | 'woken' | 'replace';

/**
 * Keeps every shard's worker fetching after a Redis outage or failover. A BullMQ worker whose fetch
 * failed loses the time its next delayed job is due (it blocks up to its drain delay on a marker
 * already taken) and can stay parked in an await that never settles; neither shows as an error.
 * An overdue shard is first woken through the marker; one that stays overdue with no job running
 * needs a new worker.
 */
export class ShardWatchdog {
  /** When each shard was first seen overdue, in the current stretch of lateness. */
  private readonly overdueSince = new Map<string, number>();

  constructor(
    private readonly redis: RedisClient,
    private readonly now: () => number,
  ) {}

  /** `idle`: nothing of the shard runs and its queue is not paused (a paused queue is late on purpose). */
  async check(queue: Queue, idle: () => Promise<boolean>): Promise<ShardVerdict> {
    const now = this.now();
    const due = await earliestDelayedDueMs(queue, this.redis);
    if (due === undefined || now - due < OVERDUE_WAKE_MS) {
      this.overdueSince.delete(queue.name);
      return 'ok';
    }
    const since = this.overdueSince.get(queue.name) ?? now;
    this.overdueSince.set(queue.name, since);
    if (now - since >= OVERDUE_REPLACE_MS && (await idle())) {
      this.overdueSince.delete(queue.name);
      return 'replace';
    }
    await wakeQueueWorkers(queue, this.redis);
    return 'woken';
  }
}
