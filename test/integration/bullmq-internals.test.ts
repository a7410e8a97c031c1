import { afterEach, describe, expect, it } from 'vitest';
import { Queue, Worker, DelayedError, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { usePrivateRedis } from '../support/redis-fixture';
import { eventually } from '../support/events';
import {
  DATA_FIELD,
  PROGRESS_FIELD,
  STALLED_COUNTER_FIELD,
  earliestDelayedDueMs,
  jobKeyOf,
  lockKeyOf,
  moveToDelayedWithData,
  stallRecoveriesOf,
  wakeQueueWorkers,
  wakeWorkerOnTime,
} from '../../libs/adaptive-polling/src/engine/bullmq-internals';

/**
 * The contract between the engine and the installed BullMQ: each assumption
 * in engine/bullmq-internals.ts, checked against a real queue and worker.
 * When an upgrade changes one of them, this fails, not production polls.
 */
const redis = usePrivateRedis();
let seq = 0;

const opened: Redis[] = [];
afterEach(() => {
  for (const client of opened.splice(0)) client.disconnect();
});

function connection(): Redis {
  const client = new Redis(redis.url, { maxRetriesPerRequest: null });
  opened.push(client);
  return client;
}

async function withQueue<T>(run: (queue: Queue, name: string) => Promise<T>): Promise<T> {
  seq += 1;
  const name = `contract-${seq}`;
  const queue = new Queue(name, { connection: connection() });
  try {
    return await run(queue, name);
  } finally {
    await queue.close();
  }
}

describe('BullMQ internals the engine relies on', () => {
  it('a job hash lives at queue.toKey(id), with its data and progress in the named fields', async () => {
    await withQueue(async (queue) => {
      await queue.add('t', { hello: 1 }, { jobId: 'j1', delay: 60_000 });
      const job = (await queue.getJob('j1'))!;
      await job.updateProgress({ mark: true });
      const key = jobKeyOf(queue, 'j1');
      expect(key).toBe(`bull:${queue.name}:j1`);
      expect(JSON.parse((await redis.client.hget(key, DATA_FIELD))!)).toEqual({ hello: 1 });
      expect(JSON.parse((await redis.client.hget(key, PROGRESS_FIELD))!)).toEqual({ mark: true });
    });
  });

  it('a running job holds its lock at lockKeyOf(job key) with the worker token; the lock-checked write updates data, resets the stall counter and delays', async () => {
    await withQueue(async (queue, name) => {
      await queue.add('t', { n: 0 }, { jobId: 'j2' });
      const seen: Array<{ lock: string | null; token: string | undefined }> = [];
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const worker = new Worker(
        name,
        async (job: Job, token?: string) => {
          seen.push({ lock: await redis.client.get(lockKeyOf(jobKeyOf(queue, job.id!))), token });
          await redis.client.hset(jobKeyOf(queue, job.id!), STALLED_COUNTER_FIELD, 2);
          const now = Date.now();
          await moveToDelayedWithData(queue, job.id!, now, now + 60_000, token!, { n: 1 });
          release();
          throw new DelayedError();
        },
        { connection: connection() },
      );
      try {
        await held;
        await eventually(async () => (await queue.getDelayedCount()) === 1, 'job delayed');
        expect(seen[0].lock).toBe(seen[0].token);
        const key = jobKeyOf(queue, 'j2');
        expect(JSON.parse((await redis.client.hget(key, DATA_FIELD))!)).toEqual({ n: 1 });
        expect(await redis.client.hget(key, STALLED_COUNTER_FIELD)).toBe('0');
        expect(await queue.getFailedCount()).toBe(0);
      } finally {
        await worker.close();
      }
    });
  });

  it('the lock-checked write throws when the token is not the lock holder', async () => {
    await withQueue(async (queue, name) => {
      await queue.add('t', { n: 0 }, { jobId: 'j3' });
      let caught: unknown = null;
      let done!: () => void;
      const finished = new Promise<void>((resolve) => (done = resolve));
      const worker = new Worker(
        name,
        async (job: Job) => {
          const now = Date.now();
          try {
            await moveToDelayedWithData(queue, job.id!, now, now + 60_000, 'not-the-token', { n: 1 });
          } catch (error) {
            caught = error;
          }
          done();
          throw new DelayedError();
        },
        { connection: connection() },
      );
      try {
        await finished;
        expect(caught).toBeInstanceOf(Error);
        expect(JSON.parse((await redis.client.hget(jobKeyOf(queue, 'j3'), DATA_FIELD))!)).toEqual({ n: 0 });
      } finally {
        await worker.close();
      }
    });
  });

  it('a job retaken after its worker died carries the stall count in the named field (job.stalledCounter)', async () => {
    await withQueue(async (queue, name) => {
      await queue.add('t', {}, { jobId: 'j4' });
      // A worker that takes the job and never renews its lock: as if its process died.
      const dead = new Worker(name, () => new Promise(() => undefined), {
        connection: connection(),
        lockDuration: 500,
        lockRenewTime: 60_000,
        // The stalled check is throttled by a key shared in Redis: the same period as the live worker's.
        stalledInterval: 250,
      });
      await eventually(async () => (await queue.getActiveCount()) === 1, 'job taken by the dying worker');
      // Not awaited: its processor never ends; the forced close only stops it taking more.
      void dead.close(true).catch(() => undefined);
      const counters: number[] = [];
      let got!: () => void;
      const retaken = new Promise<void>((resolve) => (got = resolve));
      const live = new Worker(
        name,
        async (job: Job, token?: string) => {
          counters.push(stallRecoveriesOf(job));
          const now = Date.now();
          await moveToDelayedWithData(queue, job.id!, now, now + 60_000, token!, {});
          got();
          throw new DelayedError();
        },
        { connection: connection(), lockDuration: 500, stalledInterval: 250, maxStalledCount: 1_000 },
      );
      try {
        await retaken;
        expect(counters).toEqual([1]);
        expect(await redis.client.hget(jobKeyOf(queue, 'j4'), STALLED_COUNTER_FIELD)).toBe('0');
      } finally {
        await live.close();
      }
    });
  });

  it('the earliest delayed job is due at its score / 0x1000 ms, and the base marker wakes a worker blocked past it', async () => {
    await withQueue(async (queue, name) => {
      const addedAt = Date.now();
      await queue.add('t', {}, { jobId: 'j5', delay: 60_000 });
      const due = (await earliestDelayedDueMs(queue, redis.client))!;
      expect(due).toBeGreaterThanOrEqual(addedAt + 60_000);
      expect(due).toBeLessThan(Date.now() + 60_000 + 1);
      let ran = false;
      // Blocks until the job's due time (or 30 s): made due behind its back, only the marker wakes it.
      const worker = new Worker(name, async () => void (ran = true), { connection: connection(), drainDelay: 30 });
      try {
        await worker.waitUntilReady();
        await eventually(async () => (await redis.client.exists(queue.keys.marker)) === 0, 'marker taken by the worker');
        await redis.client.zadd(queue.keys.delayed, (Date.now() - 1_000) * 0x1000, 'j5');
        await wakeQueueWorkers(queue, redis.client);
        await eventually(async () => ran, 'the woken worker ran the job', 5_000);
      } finally {
        await worker.close();
      }
    });
  });

  it('a worker blocks in waitForJob(blockUntil) until its next delayed job; a command after that deadline ends the block at once', async () => {
    // At hz 1 Redis's cron ticks once a second: without the nudge the block would end up to a second late.
    await redis.client.config('SET', 'hz', '1');
    try {
      await withQueue(async (queue, name) => {
        const lateness: number[] = [];
        let dueAt = 0;
        const worker = new Worker(name, async () => void lateness.push(Date.now() - dueAt), {
          connection: connection(),
          autorun: false,
        });
        const client = connection();
        wakeWorkerOnTime(worker, () => client.exists(queue.keys.marker));
        try {
          void worker.run();
          await worker.waitUntilReady();
          for (let i = 0; i < 4; i += 1) {
            dueAt = Date.now() + 300;
            await queue.add('t', {}, { delay: 300 });
            await eventually(async () => lateness.length === i + 1, `delayed job ${i + 1} run`, 5_000, 10);
          }
          expect(Math.max(...lateness)).toBeLessThan(150);
        } finally {
          await worker.close();
        }
      });
    } finally {
      await redis.client.config('SET', 'hz', '10');
    }
  });
});
