import type { Job, Queue, Worker } from 'bullmq';

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

/** How long after a block's deadline the first nudge goes, and between nudges while the block lasts. */
const NUDGE_AFTER_DEADLINE_MS = 2;
const NUDGE_REPEAT_MS = 10;
const MAX_NUDGES = 5;
/** BullMQ caps one block at this (RedisQueueBackend.maximumBlockTimeout). */
const MAX_BLOCK_MS = 10_000;

type BlockingWorker = { waitForJob(blockUntil: number): Promise<number> };

/**
 * Makes a worker start a delayed job on time on any Redis `hz`. A worker with
 * nothing to run blocks (BZPOPMIN on the marker) until its next delayed job
 * is due (Worker.waitForJob's `blockUntil`). Redis ends such a block at its
 * timeout only when its event loop wakes, on other traffic or at its next
 * cron tick (every 100 ms at the default `hz 10`), so the job would start up
 * to a tick late. `nudge` sends a cheap command to the same Redis node just
 * after the deadline, which ends the block; it repeats a few times while the
 * block lasts, in case the first one arrived before Redis's deadline.
 */
export function wakeWorkerOnTime(worker: Worker, nudge: () => Promise<unknown>): void {
  const blocking = worker as unknown as BlockingWorker;
  const waitForJob = blocking.waitForJob.bind(worker);
  blocking.waitForJob = async (blockUntil: number) => {
    // 0: no delayed job (a new one adds a marker, which ends the block at once).
    if (!blockUntil) return waitForJob(blockUntil);
    const deadline = Math.min(blockUntil, Date.now() + MAX_BLOCK_MS);
    let nudges = 0;
    let timer: NodeJS.Timeout | undefined;
    const send = () => {
      nudges += 1;
      void nudge().catch(() => undefined);
      if (nudges < MAX_NUDGES) timer = setTimeout(send, NUDGE_REPEAT_MS);
    };
    timer = setTimeout(send, Math.max(0, deadline - Date.now()) + NUDGE_AFTER_DEADLINE_MS);
    try {
      return await waitForJob(blockUntil);
    } finally {
      clearTimeout(timer);
    }
  };
}
