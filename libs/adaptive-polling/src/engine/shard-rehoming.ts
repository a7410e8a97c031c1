import type { Job, Queue } from 'bullmq';
import { shardOfTarget } from '../core/shards';
import { jobIdForTarget } from './engine-keys';
import { jobKeyOf } from './bullmq-internals';
import type { PollJobData } from './job-state-codec';
import type { OperatorQueue } from './operator-queue';
import type { RedisClient } from './redis-connection';
import type { ShardRouter } from './shard-router';

/** The shard count the jobs are laid out for; absent means one (every deployment before sharding). */
export async function readShardLayout(redis: RedisClient, key: string): Promise<number> {
  const stored = Number(await redis.get(key));
  return Number.isInteger(stored) && stored >= 1 ? stored : 1;
}

/**
 * Moves targets to their home shard after the shard count changed. A job is
 * moved only by a run of its own (which holds its lock, so it never moves
 * while a poll runs): the run adds the job, same id and data, to its home
 * queue at the time it was due, and ends without polling; completing it
 * removes it from the old queue. Operator actions queued beside the old queue
 * move with it. A crash between the two leaves the old job,
 * whose next run adds again (BullMQ ignores an id that exists) and ends: no
 * job is lost or doubled. Jobs due later are promoted so they move now; the
 * layout key is set to the new count once no job is left to move.
 */
export class ShardRehoming {
  constructor(
    private readonly redis: RedisClient,
    private readonly router: ShardRouter,
    private readonly operatorQueue: Pick<OperatorQueue, 'carryOver'>,
    private readonly layoutKey: string,
    /** The count the jobs were laid out for when this process started. */
    private layout: number,
    private readonly clock: () => number,
  ) {}

  /** True while some jobs may still sit outside their home shard. */
  get active(): boolean {
    return this.layout !== this.router.count;
  }

  /** The queue the target's job sat in under the old layout, when that differs from its home. */
  formerQueueOf(targetKey: string): Queue<PollJobData> | null {
    if (!this.active) return null;
    const former = this.router.allQueues[shardOfTarget(targetKey, this.layout)];
    return former && former !== this.router.queueOf(targetKey) ? former : null;
  }

  /** In a run of `job` from `queue`: moves it home if it is elsewhere. True when moved (the run must end). */
  async moveIfMisplaced(job: Job<PollJobData>, queue: Queue<PollJobData>): Promise<boolean> {
    const home = this.router.queueOf(job.data.key);
    if (home === queue) return false;
    await home.add(job.data.key, job.data, { jobId: job.id, delay: Math.max(0, job.data.dueAtMs - this.clock()) });
    // Actions queued under the old layout wait beside the old queue: they go home with the job.
    await this.operatorQueue.carryOver(job.data.key, this.router.opsBeside(queue, job.data.key), jobKeyOf(home, job.id as string));
    return true;
  }

  /**
   * One pass: promotes every job still outside its home (a running one is
   * left to its run: it moves on its next), and records the new layout once
   * there are none. Returns how many were left to move.
   */
  async step(targetKeys: readonly string[]): Promise<number> {
    if (!this.active) return 0;
    const byQueue = new Map<Queue<PollJobData>, string[]>();
    for (const key of targetKeys) {
      const former = this.formerQueueOf(key);
      if (former) byQueue.set(former, [...(byQueue.get(former) ?? []), key]);
    }
    let left = 0;
    for (const [queue, keys] of byQueue) {
      // One pipeline per queue: on a cluster a pipeline stays within one slot.
      const pipeline = this.redis.pipeline();
      for (const key of keys) pipeline.exists(jobKeyOf(queue, jobIdForTarget(key)));
      const results = (await pipeline.exec()) ?? [];
      for (const [i, key] of keys.entries()) {
        if (results[i]?.[1] !== 1) continue;
        left++;
        const job = await queue.getJob(jobIdForTarget(key));
        if (job && (await job.isDelayed())) await job.promote().catch(() => undefined); // came due meanwhile: it runs anyway
      }
    }
    if (left === 0) {
      await this.redis.set(this.layoutKey, String(this.router.count));
      this.layout = this.router.count;
    }
    return left;
  }
}
