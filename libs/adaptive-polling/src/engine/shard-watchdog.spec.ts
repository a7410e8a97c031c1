import { describe, expect, it } from 'vitest';
import type { Queue } from 'bullmq';
import type { RedisClient } from './redis-connection';
import { OVERDUE_REPLACE_MS, OVERDUE_WAKE_MS, ShardWatchdog } from './shard-watchdog';

/** One shard's delayed set and marker, as far as the watchdog reads and writes them. */
function fakeShard(dueMs: number | undefined) {
  const shard = { dueMs, markers: 0 };
  const redis = {
    zrange: async () => (shard.dueMs === undefined ? [] : ['job', String(shard.dueMs * 0x1000 + 7)]),
    zadd: async () => void (shard.markers += 1),
  } as unknown as RedisClient;
  const queue = { name: 'q', keys: { delayed: 'q:delayed', marker: 'q:marker' } } as unknown as Queue;
  return { shard, redis, queue };
}

describe('ShardWatchdog', () => {
  it('leaves a shard alone while its earliest job is not overdue', async () => {
    let now = 10_000;
    const { shard, redis, queue } = fakeShard(now - OVERDUE_WAKE_MS + 1);
    const watchdog = new ShardWatchdog(redis, () => now);
    expect(await watchdog.check(queue, async () => true)).toBe('ok');
    shard.dueMs = undefined;
    now += 60_000;
    expect(await watchdog.check(queue, async () => true)).toBe('ok');
    expect(shard.markers).toBe(0);
  });

  it('wakes an overdue shard, and asks for a new worker once it stays overdue with nothing running', async () => {
    let now = 10_000;
    const { shard, redis, queue } = fakeShard(now - OVERDUE_WAKE_MS);
    const watchdog = new ShardWatchdog(redis, () => now);
    let idle = false;
    expect(await watchdog.check(queue, async () => idle)).toBe('woken');
    now += OVERDUE_REPLACE_MS;
    // A running job (or a paused queue) may be what holds the shard back: no replacement under it.
    expect(await watchdog.check(queue, async () => idle)).toBe('woken');
    idle = true;
    expect(await watchdog.check(queue, async () => idle)).toBe('replace');
    expect(shard.markers).toBe(2);
    // A new stretch of lateness starts after a replacement.
    expect(await watchdog.check(queue, async () => idle)).toBe('woken');
  });

  it('forgets the lateness once the shard catches up', async () => {
    let now = 10_000;
    const { shard, redis, queue } = fakeShard(now - 5_000);
    const watchdog = new ShardWatchdog(redis, () => now);
    expect(await watchdog.check(queue, async () => true)).toBe('woken');
    now += OVERDUE_REPLACE_MS;
    shard.dueMs = now + 1_000;
    expect(await watchdog.check(queue, async () => true)).toBe('ok');
    shard.dueMs = now - 5_000;
    expect(await watchdog.check(queue, async () => true)).toBe('woken');
  });
});
