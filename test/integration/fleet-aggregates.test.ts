import { Inject, Injectable } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { PermanentPollError, Poller, TransientPollError, type PollContext } from 'nestjs-adaptive-polling';
import { DUE_SOON_WINDOW_MS, isDueSoon, isQueued } from '../../libs/adaptive-polling/src/core/schedule-rules';
import { optionsForType } from '../../libs/adaptive-polling/src/core/options';
import { TARGET_STATUSES, targetStatusOf, type TargetStatus } from '../../libs/adaptive-polling/src/core/target-status';
import { FLEET_PARTS, type TypeAggregate } from '../../libs/adaptive-polling/src/engine/fleet-aggregates';
import { engineKeys } from '../../libs/adaptive-polling/src/engine/engine-keys';
import type { PollingEngine, TargetSnapshot } from '../../libs/adaptive-polling/src/engine/polling-engine';
import { PollingEngineHost } from '../../libs/adaptive-polling/src/nest/polling-engine.host';
import { HousekeepingService } from '../../libs/adaptive-polling/src/nest/housekeeping/housekeeping.service';
import type { HousekeepingRunEvent } from '../../libs/adaptive-polling/src/nest/housekeeping/housekeeping-task';
import { PollingMetricsService } from '../../libs/adaptive-polling/src/nest/metrics/polling-metrics.service';
import { aggregateGaugeValues } from '../../libs/adaptive-polling/src/nest/metrics/aggregate-gauges';
import { snapshotGaugeValues } from '../../libs/adaptive-polling/src/nest/metrics/snapshot-gauges';
import { SchedulerHealthService } from '../../libs/adaptive-polling/src/nest/api/scheduler-health.service';
import {
  FULL_HEALTH_PAGE,
  STALENESS_LIST_LIMIT,
  buildSchedulerHealth,
} from '../../libs/adaptive-polling/src/nest/api/scheduler-health.builder';
import type { SchedulerHealth } from '../../libs/adaptive-polling/src/nest/api/scheduler-health.types';
import { eventually } from '../support/events';
import { useClosedAfterEach, usePrivateRedis } from '../support/redis-fixture';
import { PollRecorder, fastPolling, startScriptedApp, type ScriptedApp } from '../support/scripted-app';

const redis = usePrivateRedis();
const apps = useClosedAfterEach<ScriptedApp>();
let queueSeq = 0;

const OTHER_RECORDER = Symbol('OTHER_RECORDER');

/** A second target type, so the figures are checked per type. */
@Injectable()
class OtherPollers {
  constructor(@Inject(OTHER_RECORDER) private readonly recorder: PollRecorder) {}

  @Poller({ type: 'other' })
  poll(context: PollContext): Promise<unknown> {
    return this.recorder.run(context);
  }
}

/** `scripted` polls hourly and backs off for half an hour (its states hold still); `other` polls every ~8 s (always due soon). */
const POLLING = {
  ...fastPolling({ minInterval: '1h', baseInterval: '1h', maxInterval: '2h', backoff: { initial: '30m', max: '1h' } }),
  types: { other: { minInterval: '5s', baseInterval: '8s', maxInterval: '20s' } },
};

async function start(recorder: PollRecorder, extra: Partial<Parameters<typeof startScriptedApp>[1]> = {}): Promise<ScriptedApp> {
  queueSeq += 1;
  const app = await startScriptedApp(
    recorder,
    { queueName: `fleet-agg-${queueSeq}`, polling: POLLING, ...extra, redis: redis.url },
    { providers: [OtherPollers, { provide: OTHER_RECORDER, useValue: recorder }] },
  );
  apps.push(app);
  return app;
}

/** The same figures counted from every target's state: what the aggregates must equal. */
function recount(snapshots: readonly TargetSnapshot[], nowMs: number, maxIntervalMs: (type: string) => number): TypeAggregate[] {
  const byType = new Map<string, TypeAggregate>();
  for (const { definition, state, running, scheduled } of snapshots) {
    let agg = byType.get(definition.type);
    if (!agg) {
      agg = {
        type: definition.type,
        statuses: Object.fromEntries(TARGET_STATUSES.map((s) => [s, 0])) as Record<TargetStatus, number>,
        targets: 0,
        queued: 0,
        dueSoon: 0,
        deadLetters: 0,
        breakersOpen: 0,
        breakersHalfOpen: 0,
        breakersTroubled: 0,
        maxBreakerFailures: 0,
        latestOpenRetryAtMs: null,
        oldestSuccessAtMs: null,
        latestSuccessAtMs: null,
        staleness: { fresh: 0, aging: 0, stale: 0 },
      };
      byType.set(definition.type, agg);
    }
    agg.targets++;
    agg.statuses[targetStatusOf(definition.paused, state)]++;
    const queued = isQueued(scheduled, definition.paused, state);
    if (queued) agg.queued++;
    if (isDueSoon(queued, running, state?.nextRunAtMs ?? null, nowMs, DUE_SOON_WINDOW_MS)) agg.dueSoon++;
    if (state?.deadLetter) agg.deadLetters++;
    const breaker = state?.breaker;
    if (breaker?.state === 'open') {
      agg.breakersOpen++;
      agg.latestOpenRetryAtMs = Math.max(agg.latestOpenRetryAtMs ?? 0, breaker.retryAtMs ?? 0);
    }
    if (breaker?.state === 'half_open') agg.breakersHalfOpen++;
    if (breaker && (breaker.state !== 'closed' || breaker.failures > 0)) agg.breakersTroubled++;
    agg.maxBreakerFailures = Math.max(agg.maxBreakerFailures, breaker?.failures ?? 0);
    const success = state?.lastSuccessAtMs ?? null;
    if (success !== null) agg.latestSuccessAtMs = Math.max(agg.latestSuccessAtMs ?? 0, success);
    if (!definition.paused) {
      if (success !== null) agg.oldestSuccessAtMs = Math.min(agg.oldestSuccessAtMs ?? Infinity, success);
      const score = success === null ? 1 : (nowMs - success) / maxIntervalMs(definition.type);
      if (score < 0.5) agg.staleness.fresh++;
      else if (score < 1) agg.staleness.aging++;
      else agg.staleness.stale++;
    }
  }
  return [...byType.values()].sort((a, b) => (a.type < b.type ? -1 : 1));
}

/** Reads both within one moment of the fleet: retried while a poll lands between the two reads. */
async function aggregatesEqualRecount(app: ScriptedApp): Promise<TypeAggregate[]> {
  const { engine } = app;
  const config = app.app.get(PollingEngineHost).config;
  const maxIntervalMs = (type: string) => optionsForType(config.polling, type).intervals.maxMs;
  let last: { aggregates: TypeAggregate[]; expected: TypeAggregate[] } | null = null;
  for (let attempt = 0; attempt < 20; attempt++) {
    const nowMs = Date.now();
    const before = await engine.snapshots();
    const aggregates = await engine.fleetAggregates({ nowMs, dueWindowMs: DUE_SOON_WINDOW_MS, maxIntervalMs });
    const after = await engine.snapshots();
    last = { aggregates, expected: recount(after, nowMs, maxIntervalMs) };
    if (JSON.stringify(before.map((s) => s.state)) !== JSON.stringify(after.map((s) => s.state))) continue;
    if (JSON.stringify(last.aggregates) === JSON.stringify(last.expected)) return aggregates;
  }
  expect(last?.aggregates).toEqual(last?.expected);
  return last!.aggregates;
}

function statusOf(aggregates: TypeAggregate[], type: string): Record<TargetStatus, number> | undefined {
  return aggregates.find((a) => a.type === type)?.statuses;
}

async function snapshotOf(engine: PollingEngine, key: string): Promise<TargetSnapshot | undefined> {
  return engine.snapshot(key);
}

describe('fleet aggregates', () => {
  it.each([1, 3])(
    'equal a full recount of a mixed fleet over %i shard(s): backoff, breaker open, dead letter, paused, running, removed at run time',
    async (shards) => {
      const recorder = new PollRecorder();
      const transient = () => {
        throw new TransientPollError('HTTP 502', { statusCode: 502 });
      };
      recorder.behaviours.set('backoff', transient);
      recorder.behaviours.set('breaker', transient);
      recorder.behaviours.set('dead', () => {
        throw new PermanentPollError('HTTP 401', { statusCode: 401 });
      });
      let releaseHeld!: () => void;
      const held = new Promise<void>((resolve) => (releaseHeld = resolve));
      recorder.behaviours.set('held', async (_ctx, n) => {
        if (n === 2) await held;
        return { n };
      });
      let releaseGoing!: () => void;
      const going = new Promise<void>((resolve) => (releaseGoing = resolve));
      recorder.behaviours.set('gone-running', async () => {
        await going;
        return { ok: true };
      });

      const app = await start(recorder, { shards });
      const { engine } = app;
      const add = (type: string, name: string, paused = false) => engine.addTarget({ type, name, paused });
      for (const name of ['ok', 'backoff', 'breaker', 'dead']) await add('scripted', name);
      await add('scripted', 'paused', true);
      for (const name of ['ok1', 'ok2', 'held', 'paused-later', 'gone', 'gone-running']) await add('other', name);

      await eventually(
        async () => (await snapshotOf(engine, 'scripted::breaker'))?.state?.consecutiveFailures === 1,
        'breaker failed once',
      );
      // Two more failures, each run now: the third opens the breaker (its window is at least 30 min).
      for (const failures of [2, 3]) {
        await engine.triggerNow('scripted::breaker');
        await eventually(
          async () => (await snapshotOf(engine, 'scripted::breaker'))?.state?.consecutiveFailures === failures,
          `${failures} failures`,
        );
      }
      await eventually(async () => (await snapshotOf(engine, 'other::paused-later'))?.state?.lastSuccessAtMs, 'paused-later succeeded');
      await engine.setPaused('other::paused-later', true);
      await eventually(async () => recorder.count('other::gone') >= 1, 'gone polled');
      await engine.removeTarget('other::gone');
      await eventually(async () => recorder.inFlight.get('other::gone-running') === 1, 'gone-running is polling');
      await engine.removeTarget('other::gone-running');
      releaseGoing();
      await eventually(async () => recorder.inFlight.get('other::held') === 1, 'held runs its second poll');
      await eventually(async () => {
        const snaps = await engine.snapshots();
        const by = new Map(snaps.map((s) => [`${s.definition.type}::${s.definition.name}`, s]));
        return (
          by.get('scripted::dead')?.state?.deadLetter &&
          by.get('scripted::backoff')?.state?.consecutiveFailures === 1 &&
          by.get('other::paused-later')?.definition.paused &&
          by.get('scripted::ok')?.state?.lastSuccessAtMs &&
          recorder.inFlight.get('other::gone-running') === 0 &&
          !by.has('other::gone-running')
        );
      }, 'the fleet is in its mixed state');
      // The removed target's last run has committed (it is no longer in flight): give its write a moment to land.
      const shardKeys = engine.shardQueueNames.map((queue) => engineKeys('bull', queue));
      expect(shardKeys[0].fleetTypes).toBe(engine.keys.fleetTypes);
      await eventually(async () => {
        for (const keys of shardKeys)
          if ((await redis.client.zscore(keys.fleet('other', 'status:polling'), 'other::gone-running')) !== null) return false;
        return true;
      }, 'gone-running forgotten');

      const aggregates = await aggregatesEqualRecount(app);
      expect(statusOf(aggregates, 'scripted')).toEqual({ polling: 1, backing_off: 1, breaker_open: 1, dead_lettered: 1, paused: 1 });
      expect(statusOf(aggregates, 'other')).toEqual({ polling: 3, backing_off: 0, breaker_open: 0, dead_lettered: 0, paused: 1 });
      const other = aggregates.find((a) => a.type === 'other')!;
      // ok1 and ok2 are due within 12 s; held is due too but running, so not counted.
      expect(other.dueSoon).toBe(2);
      // No structure of any type still names a removed target.
      for (const keys of shardKeys) {
        for (const type of ['scripted', 'other']) {
          for (const part of FLEET_PARTS) {
            const members = await redis.client.zrange(keys.fleet(type, part), 0, -1);
            expect(members.filter((m) => m.startsWith('other::gone'))).toEqual([]);
          }
        }
      }

      // The aggregated gauges say what a scrape of every target's state says.
      const config = app.app.get(PollingEngineHost).config;
      const maxIntervalMs = (type: string) => optionsForType(config.polling, type).intervals.maxMs;
      const nowMs = Date.now();
      const fromAggregates = aggregateGaugeValues({
        aggregates: await engine.fleetAggregates({ nowMs, dueWindowMs: DUE_SOON_WINDOW_MS, maxIntervalMs }),
        nowMs,
        knownTypes: Object.keys(config.polling.perType),
        maxIntervalMs,
      });
      const fromSnapshots = snapshotGaugeValues({
        snapshots: await engine.snapshots(),
        nowMs,
        perTargetLabels: false,
        knownTypes: Object.keys(config.polling.perType),
        maxIntervalMs,
        dueSoonWindowMs: DUE_SOON_WINDOW_MS,
      });
      expect(fromAggregates).toEqual(fromSnapshots);

      // The health document from the aggregates is the one built from every target's state.
      const health = app.app.get(SchedulerHealthService);
      // Scores move with the clock between the two reads: compared to the percent, without the clock's own field
      // (and without the replica heartbeats, which only the service adds).
      const comparable = (doc: SchedulerHealth) =>
        JSON.stringify({
          ...doc,
          updatedAt: null,
          replicas: undefined,
          staleness: doc.staleness.map((s) => ({ ...s, score: Math.round(s.score * 100) })),
          instances: doc.instances.map((i) => ({
            ...i,
            pollStatus: { ...i.pollStatus, stalenessScore: Math.round(i.pollStatus.stalenessScore * 100) },
          })),
        });
      await eventually(async () => {
        health.invalidate();
        const served = await health.health(FULL_HEALTH_PAGE);
        const built = buildSchedulerHealth(await engine.snapshots(), Date.now(), { polling: config.polling });
        return comparable(served) === comparable(built);
      }, 'the served document equals one built from every snapshot');
      health.invalidate();
      const served = await health.health(FULL_HEALTH_PAGE);
      expect(served.deadLetter.count).toBe(1);
      expect(served.breakers.map((b) => b.key)).toEqual(['scripted::backoff', 'scripted::breaker', 'scripted::dead']);
      expect(served.staleness).toHaveLength(9);
      // Each target's figures sit in its own shard's keys (its queue's slot), in no other.
      const statusHolders = async (key: string) => {
        const holders: string[] = [];
        for (const queue of engine.shardQueueNames)
          for (const status of TARGET_STATUSES)
            if ((await redis.client.zscore(engineKeys('bull', queue).fleet(key.split('::')[0], `status:${status}`), key)) !== null)
              holders.push(queue);
        return holders;
      };
      for (const key of (await engine.listTargets()).map((d) => `${d.type}::${d.name}`)) {
        expect(await statusHolders(key), key).toEqual([engine.queueOfTarget(key).name]);
      }
      releaseHeld();
    },
  );

  it('the housekeeping repair from a full read heals drift: a missed write, a ghost member; a never-built fleet is built at start', async () => {
    const recorder = new PollRecorder();
    const app = await start(recorder);
    const { engine } = app;
    for (const name of ['a', 'b', 'c']) await engine.addTarget({ type: 'scripted', name });
    await eventually(async () => ['a', 'b', 'c'].every((n) => recorder.count(`scripted::${n}`) >= 1), 'every target polled');
    await aggregatesEqualRecount(app);

    // As if a process died between a commit and its aggregate write, and another left a ghost.
    await redis.client.zrem(engine.keys.fleet('scripted', 'status:polling'), 'scripted::a');
    await redis.client.zadd(engine.keys.fleet('scripted', 'status:dead_lettered'), Date.now(), 'scripted::ghost');
    const nowMs = Date.now();
    const drifted = await engine.fleetAggregates({ nowMs, dueWindowMs: DUE_SOON_WINDOW_MS, maxIntervalMs: () => 7_200_000 });
    expect(drifted[0].statuses).toMatchObject({ polling: 2, dead_lettered: 1 });

    // The housekeeping task repairs, under its lock.
    const housekeeping = app.app.get(HousekeepingService);
    const runs: HousekeepingRunEvent[] = [];
    housekeeping.events.on('run', (event) => runs.push(event));
    expect(await housekeeping.runNow('fleet-aggregates')).toBe('ran');
    expect(runs.at(-1)?.result).toEqual({ membersRemoved: 1 });
    const repaired = await aggregatesEqualRecount(app);
    expect(repaired[0].statuses).toMatchObject({ polling: 3, dead_lettered: 0 });

    // A fleet whose aggregates were never built (an upgrade, a flush of only them) is built at start.
    for (const part of FLEET_PARTS) await redis.client.del(engine.keys.fleet('scripted', part));
    await redis.client.del(engine.keys.fleetBuilt, engine.keys.fleetTypes);
    const queueName = app.app.get(PollingEngineHost).config.queueName;
    const second = await startScriptedApp(
      recorder,
      { redis: redis.url, queueName, polling: POLLING },
      { providers: [OtherPollers, { provide: OTHER_RECORDER, useValue: recorder }] },
    );
    apps.push(second);
    const rebuilt = await aggregatesEqualRecount(second);
    expect(rebuilt[0].targets).toBe(3);
  });

  it('a scrape without per-target labels reads no target’s job, and a health request reads only its page’s targets', async () => {
    const recorder = new PollRecorder();
    const targets = Array.from({ length: 300 }, (_, i) => ({ type: 'scripted', name: `t${String(i).padStart(3, '0')}` }));
    // Hourly: after start-up the fleet is quiet, so the counted commands are the scrape's.
    const app = await start(recorder, { targets, metrics: { perTargetLabelLimit: 10 } });
    const metrics = app.app.get(PollingMetricsService);
    await metrics.metrics();
    const hgets = async () => {
      const info = await redis.client.info('commandstats');
      const match = /cmdstat_hget:calls=(\d+)/.exec(info);
      return match ? Number(match[1]) : 0;
    };
    const before = await hgets();
    const text = await metrics.metrics();
    const read = (await hgets()) - before;
    expect(text).toMatch(/pulse_scheduler_targets\{instance_type="scripted"\} 300/);
    // A read of every target's state is one HGET per job (300); the aggregates need none.
    expect(read).toBeLessThan(30);

    // A health request reads only the targets of its page (one HGET each), whatever the fleet's size.
    const health = app.app.get(SchedulerHealthService);
    health.invalidate();
    const beforeHealth = await hgets();
    const doc = JSON.parse(await health.healthJson({ offset: 100, limit: 10 })) as SchedulerHealth;
    const healthReads = (await hgets()) - beforeHealth;
    expect(doc.instances.map((i) => i.instance)).toEqual(targets.slice(100, 110).map((t) => t.name));
    expect(doc.page.total).toBe(300);
    // The staleness list is the stalest STALENESS_LIST_LIMIT, the ones a full read would list, each read as a job.
    expect(doc.staleness).toHaveLength(STALENESS_LIST_LIMIT);
    const built = buildSchedulerHealth(await app.engine.snapshots(), Date.now(), {
      polling: app.app.get(PollingEngineHost).config.polling,
    });
    expect(doc.staleness.map((s) => s.key)).toEqual(built.staleness.map((s) => s.key));
    expect(doc.queue.depth).toBe(300);
    expect(healthReads).toBeLessThanOrEqual(10 + STALENESS_LIST_LIMIT + 5);
  });
});
