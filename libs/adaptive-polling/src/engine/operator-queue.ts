import type { Redis } from 'ioredis';
import type { EngineKeys } from './engine-keys';

/** At most this many pending actions are applied in one run. */
const DRAIN_BATCH = 100;

/**
 * What the target's job carries (in BullMQ's `progress` field, which the
 * worker reads with the job anyway) while operator actions wait for it. A run
 * drains the list only when it sees this mark, so a plain poll pays no round
 * trip for operator actions; the run's reschedule clears the mark.
 */
export const PENDING_ACTIONS_MARK = Object.freeze({ pendingOperatorActions: true });
const PENDING_ACTIONS_MARK_JSON = JSON.stringify(PENDING_ACTIONS_MARK);

/** Marks the job, if it exists (never creates a stray job hash). */
const MARK_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'progress', ARGV[1]) end
return 1`;

/** Queues the action and marks the job, atomically. */
const PUSH_SCRIPT = `
redis.call('RPUSH', KEYS[2], ARGV[2])
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'progress', ARGV[1]) end
return 1`;

export function hasPendingActionsMark(progress: unknown): boolean {
  return typeof progress === 'object' && progress !== null && (progress as { pendingOperatorActions?: unknown }).pendingOperatorActions === true;
}

/**
 * Pending operator actions per target. Every change to a target's state goes
 * through its own job run, so an action never races a poll: the action is
 * queued, the job is marked and promoted, and the run applies it before
 * polling. An action queued while the job runs is found by the run's
 * reschedule (a list length read pipelined right behind it), which marks and
 * promotes the job again.
 */
export class OperatorQueue {
  constructor(
    private readonly redis: Redis,
    private readonly keys: EngineKeys,
  ) {}

  opsKey(targetKey: string): string {
    return this.keys.ops(targetKey);
  }

  async push(targetKey: string, action: string, jobKey: string): Promise<void> {
    await this.redis.eval(PUSH_SCRIPT, 2, jobKey, this.keys.ops(targetKey), PENDING_ACTIONS_MARK_JSON, action);
  }

  /** Marks the job so its next run drains the list (when actions arrived during a run). */
  async mark(jobKey: string): Promise<void> {
    await this.redis.eval(MARK_SCRIPT, 1, jobKey, PENDING_ACTIONS_MARK_JSON);
  }

  /** Pops every pending action atomically (LPOP with a count, Redis >= 6.2). */
  async drain(targetKey: string): Promise<string[]> {
    const popped = await this.redis.lpop(this.keys.ops(targetKey), DRAIN_BATCH);
    return popped ?? [];
  }

  async pending(targetKey: string): Promise<boolean> {
    return (await this.redis.llen(this.keys.ops(targetKey))) > 0;
  }

  async clear(targetKey: string): Promise<void> {
    await this.redis.del(this.keys.ops(targetKey));
  }
}
