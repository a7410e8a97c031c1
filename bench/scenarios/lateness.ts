import { DelayedError, Queue, Worker, type Job } from 'bullmq';
import { benchTargets, createBenchEngine } from '../lib/engine-factory';
import { LatenessRecorder } from '../lib/lateness-recorder';
import { distribution, log, sleep, type Distribution } from '../lib/stats';

export interface LatenessConfig {
  redisUrl: string;
  queueName: string;
  targets: number;
  intervalMs: number;
  /** Worker concurrency; null = the engine's default, min(targets, 10). */
  concurrency: number | null;
  warmupMs: number;
  measureMs: number;
}

export interface LatenessResult {
  side: 'engine' | 'raw';
  targets: number;
  intervalMs: number;
  concurrency: number;
  polls: number;
  pollsPerSecond: number;
  /** Start of each poll minus its due time, ms. */
  latenessMs: Distribution;
  /** Share of polls later than 20 ms. */
  lateOver20msShare: number;
}

function summarise(side: 'engine' | 'raw', config: LatenessConfig, concurrency: number, lateness: number[]): LatenessResult {
  const over = lateness.filter((v) => v > 20).length;
  return {
    side,
    targets: config.targets,
    intervalMs: config.intervalMs,
    concurrency,
    polls: lateness.length,
    pollsPerSecond: Math.round((lateness.length / (config.measureMs / 1000)) * 10) / 10,
    latenessMs: distribution(lateness),
    lateOver20msShare: lateness.length ? Math.round((over / lateness.length) * 10000) / 10000 : 0,
  };
}

/** The engine: `targets` targets on a fixed interval; lateness from 'poll:started' waitMs. */
export async function engineLateness(config: LatenessConfig): Promise<LatenessResult> {
  const engine = createBenchEngine({
    redisUrl: config.redisUrl,
    queueName: config.queueName,
    concurrency: config.concurrency ?? undefined,
    handler: () => null,
    // base = the interval: the first runs spread evenly over one interval
    polling: {
      policy: 'fixed',
      minInterval: config.intervalMs,
      baseInterval: config.intervalMs,
      maxInterval: Math.max(20_000, config.intervalMs),
    },
  });
  const lateness = new LatenessRecorder(engine.events);
  await engine.start(benchTargets(config.targets, config.intervalMs));
  log(`lateness engine: ${config.targets} targets every ${config.intervalMs} ms, concurrency ${engine.currentConcurrency}`);
  try {
    await sleep(config.warmupMs);
    lateness.start();
    await sleep(config.measureMs);
    return summarise('engine', config, engine.currentConcurrency, lateness.stop());
  } finally {
    await engine.stop();
  }
}

/** The same schedule on plain BullMQ: lateness = start minus the due time it set. */
export async function rawLateness(config: LatenessConfig): Promise<LatenessResult> {
  const lateness: number[] = [];
  let recording = false;
  const concurrency = config.concurrency ?? Math.min(config.targets, 10);
  const connection = { url: config.redisUrl, maxRetriesPerRequest: null } as const;
  const queue = new Queue(config.queueName, { connection: { ...connection } });
  const dueAt = new Map<string, number>();
  const now = Date.now();
  for (let i = 0; i < config.targets; i++) {
    const delay = Math.floor(Math.random() * config.intervalMs);
    dueAt.set(`raw-t${i}`, now + delay);
    await queue.add('raw', {}, { jobId: `raw-t${i}`, delay, removeOnComplete: true, removeOnFail: 100 });
  }
  const worker = new Worker(
    config.queueName,
    async (job: Job, token?: string) => {
      const started = Date.now();
      const id = job.id as string;
      if (recording) lateness.push(Math.max(0, started - (dueAt.get(id) ?? started)));
      const next = Date.now() + config.intervalMs;
      dueAt.set(id, next);
      await job.moveToDelayed(next, token);
      throw new DelayedError();
    },
    { connection: { ...connection }, concurrency, lockDuration: 4_000, stalledInterval: 2_000, maxStalledCount: 1_000_000 },
  );
  worker.on('error', (e) => log(`raw worker error: ${e.message}`));
  try {
    await sleep(config.warmupMs);
    recording = true;
    await sleep(config.measureMs);
    recording = false;
    return summarise('raw', config, concurrency, lateness);
  } finally {
    await worker.close();
    await queue.close();
  }
}
