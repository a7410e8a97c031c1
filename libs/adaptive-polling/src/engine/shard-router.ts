import { Queue } from 'bullmq';
import { shardOfTarget } from '../core/shards';
import { engineKeys } from './engine-keys';
import type { PollJobData } from './job-state-codec';
import { pollQueueOptions } from './poll-queue-options';
import type { RedisClient } from './redis-connection';

/** Items of one shard, with where each stood in the list they came from. */
export interface ShardGroup<T> {
  shard: number;
  items: T[];
  indexes: number[];
}

/**
 * The schedule's shards: one BullMQ queue each, and which of them holds a
 * target's job. A target's per-target keys that a script touches with its job
 * (its operator actions) live beside that shard's queue, in the same slot.
 */
export class ShardRouter {
  /** The home queues: shard i's is `queues[i]`. */
  readonly queues: Array<Queue<PollJobData>>;
  /** Queues of shards beyond the current count that may still hold jobs (the count went down): worked until re-homed. */
  readonly drainQueues: Array<Queue<PollJobData>>;

  /** `names` are every queue that may hold jobs; the first `shards` of them are the homes. */
  constructor(
    readonly names: readonly string[],
    shards: number,
    private readonly prefix: string,
    connection: RedisClient,
  ) {
    const all = names.map((name) => new Queue<PollJobData>(name, pollQueueOptions(connection, prefix)));
    this.queues = all.slice(0, shards);
    this.drainQueues = all.slice(shards);
  }

  /** Home queues, then those being drained. */
  get allQueues(): Array<Queue<PollJobData>> {
    return [...this.queues, ...this.drainQueues];
  }

  get count(): number {
    return this.queues.length;
  }

  shardOf(targetKey: string): number {
    return shardOfTarget(targetKey, this.queues.length);
  }

  queueOf(targetKey: string): Queue<PollJobData> {
    return this.queues[this.shardOf(targetKey)];
  }

  /** The target's operator-action list, in its shard's slot (shard 0's is the unsharded key). */
  ops(targetKey: string): string {
    return engineKeys(this.prefix, this.names[this.shardOf(targetKey)]).ops(targetKey);
  }

  /** The target's operator-action list beside `queue` (its former shard's, while re-homing). */
  opsBeside(queue: Queue<PollJobData>, targetKey: string): string {
    return engineKeys(this.prefix, queue.name).ops(targetKey);
  }

  /** Where operator-action lists start, one prefix per queue that may hold jobs (homes and those being drained). */
  opsPrefixes(): string[] {
    return this.names.map((name) => engineKeys(this.prefix, name).ops(''));
  }

  /**
   * Splits a list by shard: on a Redis Cluster a pipeline or a script may
   * only touch keys of one slot, so multi-key reads go shard by shard.
   */
  group<T>(items: readonly T[], keyOf: (item: T) => string): Array<ShardGroup<T>> {
    const groups = this.queues.map((_, shard): ShardGroup<T> => ({ shard, items: [], indexes: [] }));
    items.forEach((item, i) => {
      const group = groups[this.shardOf(keyOf(item))];
      group.items.push(item);
      group.indexes.push(i);
    });
    return groups.filter((g) => g.items.length > 0);
  }
}
