import { DelayedError, Queue, Worker, type Job } from 'bullmq';
import { benchTargets, createBenchEngine } from '../lib/engine-factory';
import { measureWindow, type WindowResult } from '../lib/window';
import { log } from '../lib/stats';

export interface ThroughputConfig {
  redisUrl: string;
  queueName: string;
  /** Jobs (targets) kept cycling. */
  targets: number;
  concurrency: number;
  /** Delay of each re-schedule (the same for both sides). */
  delayMs: number;
  warmupMs: number;
  measureMs: number;
}

export type ThroughputResult = WindowResult & { side: 'engine' | 'raw'; concurrency: number; targets: number; delayMs: number };

/** The engine with a no-op poller, every target on a fixed interval of `delayMs`. */
export async function engineThroughput(config: ThroughputConfig): Promise<ThroughputResult> {
  let polls = 0;
  const engine = createBenchEngine({
    redisUrl: config.redisUrl,
    queueName: config.queueName,
    concurrency: config.concurrency,
    handler: () => null,
    polling: { policy: 'fixed', minInterval: '1s', baseInterval: '1s', maxInterval: '20s' },
  });
  engine.events.on('poll:finished', () => {
    polls++;
  });
  // fixedIntervalMs: exactly delayMs, no jitter; the first runs spread over 1 s.
  await engine.start(benchTargets(config.targets, config.delayMs));
  log(`engine c=${config.concurrency}: ${config.targets} targets started`);
  try {
    const window = await measureWindow(config.redisUrl, () => polls, config.warmupMs, config.measureMs);
    return { side: 'engine', concurrency: config.concurrency, targets: config.targets, delayMs: config.delayMs, ...window };
  } finally {
    await engine.stop();
  }
}

/**
 * The baseline: plain BullMQ, one self-rescheduling delayed job per target
 * (the step-job pattern: moveToDelayed with the lock token, then DelayedError),
 * same worker settings as the engine's.
 */
export async function rawThroughput(config: ThroughputConfig): Promise<ThroughputResult> {
  let polls = 0;
  const connection = { url: config.redisUrl, maxRetriesPerRequest: null } as const;
  const queue = new Queue(config.queueName, { connection: { ...connection } });
  for (let i = 0; i < config.targets; i++) {
    await queue.add(
      'raw',
      { key: `raw::t${i}` },
      { jobId: `raw-t${i}`, delay: Math.floor(Math.random() * 1000), removeOnComplete: true, removeOnFail: 100 },
    );
  }
  const worker = new Worker(
    config.queueName,
    async (job: Job, token?: string) => {
      polls++;
      await job.moveToDelayed(Date.now() + config.delayMs, token);
      throw new DelayedError();
    },
    {
      connection: { ...connection },
      concurrency: config.concurrency,
      lockDuration: 4_000,
      stalledInterval: 2_000, // the engine checks at half its 4 s lock (see PollingEngine.startWorker)
      maxStalledCount: 1_000_000,
      removeOnComplete: { count: 0 },
      removeOnFail: { count: 100 },
    },
  );
  worker.on('error', (e) => log(`raw worker error: ${e.message}`));
  log(`raw c=${config.concurrency}: ${config.targets} jobs started`);
  try {
    const window = await measureWindow(config.redisUrl, () => polls, config.warmupMs, config.measureMs);
    return { side: 'raw', concurrency: config.concurrency, targets: config.targets, delayMs: config.delayMs, ...window };
  } finally {
    await worker.close();
    await queue.close();
  }
}
