import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  HousekeepingService,
  RedisLock,
  type HousekeepingOutcome,
  type HousekeepingRunEvent,
} from '../../libs/adaptive-polling/src/nest/housekeeping';
import { PollingMetricsService } from 'nestjs-adaptive-polling/prometheus';
import { ReplicaDirectoryService, ReplicaHeartbeat } from '../../libs/adaptive-polling/src/nest/replicas';
import { SchedulerHealthService } from '../../libs/adaptive-polling/src/nest/api/scheduler-health.service';
import { useClosedAfterEach, usePrivateRedis } from '../support/redis-fixture';
import { engineKeys } from '../../libs/adaptive-polling/src/engine/engine-keys';
import { shardQueueNames } from '../../libs/adaptive-polling/src/engine/shard-queues';
import { eventually } from '../support/events';
import { PollRecorder, fastPolling, startScriptedApp, type ScriptedApp, type ScriptedAppOptions } from '../support/scripted-app';

const redis = usePrivateRedis();
const apps = useClosedAfterEach<ScriptedApp>();
let queueSeq = 0;

// Registered after the apps' hook, so it runs before them (after-hooks run in reverse).
afterEach(() => {
  vi.restoreAllMocks();
});

function freshQueue(): string {
  queueSeq += 1;
  return `replicas-test-${queueSeq}`;
}

/** Heartbeats 10x faster than the seed's 5 s / 15 s, so no test waits long. */
const FAST_HEARTBEATS = { heartbeatIntervalMs: 100, heartbeatTtlMs: 600 };

async function start(options: Partial<ScriptedAppOptions> & { queueName: string }): Promise<ScriptedApp> {
  const app = await startScriptedApp(new PollRecorder(), { redis: redis.url, polling: fastPolling(), ...options });
  apps.push(app);
  return app;
}

async function closeApp(app: ScriptedApp): Promise<void> {
  apps.splice(apps.indexOf(app), 1);
  await app.close();
}

async function statuses(app: ScriptedApp): Promise<Record<string, string>> {
  const replicas = await app.app.get(ReplicaDirectoryService).replicas();
  return Object.fromEntries(replicas.map((r) => [r.id, r.status]));
}

describe('replica heartbeats', () => {
  it('lists replicas as alive, scaled_down after a graceful close, crashed when the heartbeat expires without a marker', async () => {
    const queueName = freshQueue();
    const a = await start({ queueName, replicas: { ...FAST_HEARTBEATS, id: 'replica-a' } });
    const b = await start({ queueName, replicas: { ...FAST_HEARTBEATS, id: 'replica-b' } });
    const c = await start({ queueName, replicas: { ...FAST_HEARTBEATS, id: 'replica-c' } });
    expect(await statuses(a)).toEqual({ 'replica-a': 'alive', 'replica-b': 'alive', 'replica-c': 'alive' });
    const beat = JSON.parse((await redis.client.get(`${a.engine.keys.replicaPrefix}:heartbeat:replica-a`))!) as Record<string, unknown>;
    expect(beat).toMatchObject({ id: 'replica-a', pid: process.pid });
    expect(typeof beat.host).toBe('string');
    expect(typeof beat.startedAtMs).toBe('number');
    const ttl = await redis.client.pttl(`${a.engine.keys.replicaPrefix}:heartbeat:replica-a`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(600);

    await closeApp(b);
    expect((await statuses(a))['replica-b']).toBe('scaled_down');
    expect(await redis.client.pttl(`${a.engine.keys.replicaPrefix}:shutdown:replica-b`)).toBeGreaterThan(60_000);

    // A crash: the process stops beating and never runs its shutdown hook.
    const heartbeat = c.app.get(ReplicaHeartbeat);
    const beatSpy = vi.spyOn(heartbeat, 'beat').mockResolvedValue(undefined);
    const shutdownSpy = vi.spyOn(heartbeat, 'beforeApplicationShutdown').mockResolvedValue(undefined);
    const closeSpy = vi.spyOn(heartbeat, 'onApplicationShutdown').mockResolvedValue(undefined);
    await closeApp(c);
    try {
      const seen = await eventually(
        async () => {
          const now = await statuses(a);
          return now['replica-c'] === 'crashed' ? now : undefined;
        },
        'replica-c shows as crashed',
        5_000,
      );
      expect(seen).toEqual({ 'replica-a': 'alive', 'replica-b': 'scaled_down', 'replica-c': 'crashed' });
      expect(await redis.client.exists(`${a.engine.keys.replicaPrefix}:shutdown:replica-c`)).toBe(0);

      const doc = await a.app.get(SchedulerHealthService).health();
      expect(doc.replicas?.map((r) => [r.id, r.status])).toEqual([
        ['replica-a', 'alive'],
        ['replica-b', 'scaled_down'],
        ['replica-c', 'crashed'],
      ]);
      const metrics = await a.app.get(PollingMetricsService).metrics();
      expect(metrics).toMatch(/replicas_alive(\{[^}]*\})? 1\b/);
    } finally {
      // Let the "crashed" replica's leftovers (timer, connection) go.
      beatSpy.mockRestore();
      shutdownSpy.mockRestore();
      closeSpy.mockRestore();
      await heartbeat.onApplicationShutdown();
    }
  });

  it('keeps a graceful shutdown as scaled_down after its marker expired', async () => {
    const queueName = freshQueue();
    const a = await start({ queueName, replicas: { ...FAST_HEARTBEATS, id: 'replica-a', shutdownMarkerTtlMs: 200 } });
    const b = await start({ queueName, replicas: { ...FAST_HEARTBEATS, id: 'replica-b', shutdownMarkerTtlMs: 200 } });
    await closeApp(b);
    await eventually(
      async () => (await redis.client.exists(`${a.engine.keys.replicaPrefix}:shutdown:replica-b`)) === 0,
      'the marker expired',
      3_000,
    );
    expect((await statuses(a))['replica-b']).toBe('scaled_down');
  });
});

describe('replicas tell the truth', () => {
  it("a replica's heartbeat says whether its poll worker runs", async () => {
    const queueName = freshQueue();
    const polling = await start({ queueName, replicas: { ...FAST_HEARTBEATS, id: 'with-worker' } });
    await start({ queueName, worker: false, replicas: { ...FAST_HEARTBEATS, id: 'without-worker' } });
    const beat = async (id: string) =>
      JSON.parse((await redis.client.get(`${polling.engine.keys.replicaPrefix}:heartbeat:${id}`))!) as Record<string, unknown>;
    expect(await beat('with-worker')).toMatchObject({ workerRunning: true });
    expect(await beat('without-worker')).toMatchObject({ workerRunning: false });
    const doc = await polling.app.get(SchedulerHealthService).health();
    expect(doc.replicas?.map((r) => [r.id, r.status, r.workerRunning])).toEqual([
      ['with-worker', 'alive', true],
      ['without-worker', 'alive', false],
    ]);
    // Only the replica that polls counts as alive for the ReplicasDown alert.
    expect(await polling.app.get(PollingMetricsService).metrics()).toMatch(/replicas_alive(\{[^}]*\})? 1\b/);
  });

  it('when the heartbeats cannot be read: replicas_alive has no sample (unknown, not 1), health says replicasError', async () => {
    const queueName = freshQueue();
    const app = await start({ queueName, replicas: { ...FAST_HEARTBEATS, id: 'only' } });
    const metrics = app.app.get(PollingMetricsService);
    expect(await metrics.metrics()).toMatch(/replicas_alive(\{[^}]*\})? 1\b/);
    // A real Redis error on the directory's read: its hash replaced by a string (WRONGTYPE).
    const known = `${app.engine.keys.replicaPrefix}:known`;
    await redis.client.del(known);
    await redis.client.set(known, 'not a hash');
    const samples = (await metrics.metrics()).split('\n').filter((line) => /^\w*replicas_alive/.test(line));
    expect(samples).toEqual([]);
    const doc = await app.app.get(SchedulerHealthService).health();
    expect(doc.replicas).toBeUndefined();
    expect(doc.replicasError).toContain('WRONGTYPE');
    await redis.client.del(known);
  });
});

describe('housekeeping', () => {
  it('runs a task on one replica at a time: the other finds it locked, and the lock is released by its owner', async () => {
    const queueName = freshQueue();
    const a = await start({ queueName });
    const b = await start({ queueName });
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const task = {
      name: 'probe',
      intervalMs: 3_600_000,
      run: async () => {
        active += 1;
        runs += 1;
        maxActive = Math.max(maxActive, active);
        await gate;
        active -= 1;
        return { runs };
      },
    };
    const hkA = a.app.get(HousekeepingService);
    const hkB = b.app.get(HousekeepingService);
    hkA.register(task);
    hkB.register(task);

    const first = hkA.runNow('probe');
    await eventually(async () => active === 1, 'the task runs on replica a');
    expect(await redis.client.exists(a.engine.keys.lock('probe'))).toBe(1);
    expect(await hkB.runNow('probe')).toBe('locked');
    release();
    expect(await first).toBe('ran');
    expect(await redis.client.exists(a.engine.keys.lock('probe'))).toBe(0);
    expect(await hkB.runNow('probe')).toBe('ran');
    expect(runs).toBe(2);
    expect(maxActive).toBe(1);
  });

  it('on timers, two replicas never run a task at once and skip it when the other just ran it', async () => {
    const queueName = freshQueue();
    const a = await start({ queueName });
    const b = await start({ queueName });
    let active = 0;
    let maxActive = 0;
    const outcomes: HousekeepingOutcome[] = [];
    const task = {
      name: 'tick',
      intervalMs: 60,
      run: async () => {
        active += 1;
        maxActive = Math.max(maxActive, active);
        // Some work that takes a while (a few Redis round trips).
        for (let i = 0; i < 20; i++) await redis.client.ping();
        active -= 1;
      },
    };
    for (const app of [a, b]) {
      const hk = app.app.get(HousekeepingService);
      hk.events.on('run', (e: HousekeepingRunEvent) => {
        if (e.task === 'tick') outcomes.push(e.outcome);
      });
      hk.register(task);
    }
    await eventually(async () => outcomes.filter((o) => o === 'ran').length >= 6, 'six runs', 10_000);
    expect(maxActive).toBe(1);
    expect(outcomes).not.toContain('failed');
    expect(outcomes.some((o) => o === 'recent' || o === 'locked')).toBe(true);
  });

  it('a lock is released only by its owner', async () => {
    const key = `lock-test:${freshQueue()}`;
    const first = await RedisLock.acquire(redis.client, key, 150);
    expect(first).not.toBeNull();
    expect(await RedisLock.acquire(redis.client, key, 150)).toBeNull();
    const second = await eventually(() => RedisLock.acquire(redis.client, key, 10_000), 'the first lease expired', 3_000);
    expect(await first!.release()).toBe(false);
    expect(await first!.extend()).toBe(false);
    expect(await redis.client.get(key)).toBe(second.token);
    expect(await second.release()).toBe(true);
    expect(await redis.client.exists(key)).toBe(0);
  });

  it('the janitor removes operator lists of removed targets and forgets replicas not seen for the retention period', async () => {
    const queueName = freshQueue();
    const a = await start({
      queueName,
      targets: [{ name: 'kept', type: 'scripted' }],
      replicas: { ...FAST_HEARTBEATS, id: 'replica-a', knownReplicaRetentionMs: 60_000 },
    });
    const { keys } = a.engine;
    await redis.client.rpush(keys.ops('scripted::ghost'), 'reset_breaker');
    await redis.client.rpush(keys.ops('scripted::removed|earlier'), 'reset_breaker');
    const old = Date.now() - 2 * 60_000;
    await redis.client.hset(
      `${keys.replicaPrefix}:known`,
      'replica-gone',
      JSON.stringify({ id: 'replica-gone', host: 'h', pid: 1, startedAtMs: old, atMs: old, stoppedAtMs: null }),
    );
    const hk = a.app.get(HousekeepingService);
    expect(hk.taskNames()).toContain('janitor');
    expect(hk.timerNames().some((n) => n.includes(`:${queueName}:janitor:`))).toBe(true);
    const events: HousekeepingRunEvent[] = [];
    hk.events.on('run', (e) => events.push(e));
    expect(await hk.runNow('janitor')).toBe('ran');
    expect(events.at(-1)?.result).toEqual({ opsListsRemoved: 2, replicasForgotten: 1 });
    expect(await redis.client.exists(keys.ops('scripted::ghost'))).toBe(0);
    expect(await redis.client.hexists(`${keys.replicaPrefix}:known`, 'replica-gone')).toBe(0);
    expect(Object.keys(await statuses(a))).toEqual(['replica-a']);
  });

  it("the janitor removes removed targets' operator lists in every shard's keys", async () => {
    const queueName = freshQueue();
    const a = await start({ queueName, shards: 3, targets: [{ name: 'kept', type: 'scripted' }] });
    const prefix = a.engine.keys.targets.slice(0, -`:${queueName}:ap:targets`.length);
    const lists = shardQueueNames(prefix, queueName, 3, false).map((name, shard) =>
      engineKeys(prefix, name).ops(`scripted::ghost-${shard}`),
    );
    for (const list of lists) await redis.client.rpush(list, 'reset_breaker');
    const hk = a.app.get(HousekeepingService);
    const events: HousekeepingRunEvent[] = [];
    hk.events.on('run', (e) => events.push(e));
    expect(await hk.runNow('janitor')).toBe('ran');
    expect(events.at(-1)?.result).toMatchObject({ opsListsRemoved: 3 });
    for (const list of lists) expect(await redis.client.exists(list)).toBe(0);
  });
});
