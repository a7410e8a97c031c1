import type { Job, Queue } from 'bullmq';

/**
 * Every assumption the engine makes about BullMQ beyond its documented API,
 * in one file. test/integration/bullmq-internals.test.ts checks each one
 * against the installed BullMQ, so an upgrade that changes them fails there
 * instead of silently stopping polls.
 */

/** Job hash field where BullMQ counts stall recoveries (`job.stalledCounter` reads it). */
export const STALLED_COUNTER_FIELD = 'stc';

/** Job hash field of the job's progress; the engine keeps its pending-actions mark there. */
export const PROGRESS_FIELD = 'progress';

/** Job hash field of the job's data. */
export const DATA_FIELD = 'data';

/** A job's lock key is its hash key plus this suffix; it exists while a worker runs the job. */
export const LOCK_SUFFIX = ':lock';

/** The Redis key of a job's hash (BullMQ's public `toKey`). */
export function jobKeyOf(queue: Pick<Queue, 'toKey'>, jobId: string): string {
  return queue.toKey(jobId);
}

export function lockKeyOf(jobKey: string): string {
  return jobKey + LOCK_SUFFIX;
}

/** Stall recoveries in a row of the job being run (0 on a normal run). */
export function stallRecoveriesOf(job: Pick<Job, 'stalledCounter'>): number {
  return Number.isFinite(job.stalledCounter) ? job.stalledCounter : 0;
}

/**
 * Writes the job's data and reschedules it in one lock-checked Lua call
 * (the backend's moveToDelayed with fields to update), and resets the stall
 * counter: a run that gets here did not crash. Throws when the lock is not
 * held by `token` (another worker took the job over) or Redis fails.
 */
export async function moveToDelayedWithData(
  queue: Queue,
  jobId: string,
  nowMs: number,
  nextRunAtMs: number,
  token: string,
  data: unknown,
): Promise<void> {
  await queue.getBackend().moveToDelayed(jobId, nowMs, Math.max(0, nextRunAtMs - nowMs), token, {
    skipAttempt: true,
    fieldsToUpdate: { [DATA_FIELD]: JSON.stringify(data), [STALLED_COUNTER_FIELD]: 0 },
  });
}

/** A delayed job's score is its due time in ms times this, plus a counter (getDelayedScore.lua). */
const DELAYED_SCORE_FACTOR = 0x1000;

type ZsetReader = { zrange(key: string, start: number, stop: number, withScores: 'WITHSCORES'): Promise<string[]> };
type ZsetWriter = { zadd(key: string, score: number, member: string): Promise<unknown> };

/** Due time (ms) of the queue's earliest delayed job, or undefined when none is delayed. */
export async function earliestDelayedDueMs(queue: Pick<Queue, 'keys'>, redis: ZsetReader): Promise<number | undefined> {
  const [, score] = await redis.zrange(queue.keys.delayed, 0, 0, 'WITHSCORES');
  return score === undefined ? undefined : Math.floor(Number(score) / DELAYED_SCORE_FACTOR);
}

/**
 * Adds the base marker a blocked worker waits on (addBaseMarkerIfNeeded.lua's ZADD marker 0 "0"):
 * the worker wakes and promotes due delayed jobs on its next fetch.
 */
export async function wakeQueueWorkers(queue: Pick<Queue, 'keys'>, redis: ZsetWriter): Promise<void> {
  await redis.zadd(queue.keys.marker, 0, '0');
}
