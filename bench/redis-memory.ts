/**
 * `npx tsx bench/redis-memory.ts [targets]`: Redis bytes per target of the
 * engine (job hash, delayed entry, registry, fleet aggregates) once every
 * target has polled, at Redis's default `hash-max-listpack-value` (64) and at
 * 256. A polled job's data (its state) is longer than 64 bytes, so by default
 * its hash takes Redis's hashtable encoding; at 256 it stays a listpack.
 * Each setting on a fresh private redis-server. Prints one JSON object.
 */
import { Redis } from 'ioredis';
import { startPrivateRedis } from '../test/support/private-redis';
import { benchTargets, createBenchEngine } from './lib/engine-factory';
import { sleep } from './lib/stats';

const HOUR_MS = 3_600_000;

interface MemoryFigure {
  hashMaxListpackValue: number | 'default (64)';
  targets: number;
  polled: number;
  bytesPerTarget: number;
  jobHashBytes: number | null;
}

async function measure(targets: number, listpackValue: number | null): Promise<MemoryFigure> {
  const redis = await startPrivateRedis();
  const client = new Redis(redis.url);
  try {
    if (listpackValue !== null) await client.config('SET', 'hash-max-listpack-value', String(listpackValue));
    const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await client.info('memory'))![1]);
    const before = await usedMemory();
    const engine = createBenchEngine({
      redisUrl: redis.url,
      queueName: 'memory',
      concurrency: 16,
      handler: () => ({ ok: 1 }),
      polling: { policy: 'fixed', minInterval: '60s', baseInterval: '60s', maxInterval: '120s' },
    });
    const polled = new Set<string>();
    engine.events.on('poll:finished', (e) => polled.add(e.key));
    // Hourly after the first run: every target polls once, then the fleet is quiet while Redis is read.
    await engine.start(benchTargets(targets, HOUR_MS, 'node-0000'));
    const started = Date.now();
    while (polled.size < targets && Date.now() - started < 300_000) await sleep(200);
    await sleep(1_000);
    const after = await usedMemory();
    const jobHashBytes = await client.memory('USAGE', 'bull:memory:target-bench%3A%3Anode-00001');
    await engine.stop();
    return {
      hashMaxListpackValue: listpackValue ?? 'default (64)',
      targets,
      polled: polled.size,
      bytesPerTarget: Math.round((after - before) / targets),
      jobHashBytes,
    };
  } finally {
    client.disconnect();
    await redis.stop();
  }
}

async function main(): Promise<void> {
  const targets = Number(process.argv[2] ?? 20_000);
  const figures = [await measure(targets, null), await measure(targets, 256)];
  console.log(JSON.stringify({ date: new Date().toISOString(), command: `npx tsx bench/redis-memory.ts ${targets}`, figures }));
}

void main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
