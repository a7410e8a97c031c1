import { describe, expect, it } from 'vitest';
import { initialTargetState } from '../../libs/adaptive-polling/src/core/target-state';
import { targetStateFromJobData } from '../../libs/adaptive-polling/src/engine/job-state-codec';
import type { TargetPollState } from 'nestjs-adaptive-polling';
import { testPollingOptions } from '../../libs/adaptive-polling/src/core/testing/fixtures';
import { POLL_QUEUE_EVENTS_MAX_LEN } from '../../libs/adaptive-polling/src/engine/poll-queue-options';
import { useClosedAfterEach, usePrivateRedis } from '../support/redis-fixture';
import { eventually } from '../support/events';
import { PollRecorder, fastPolling, startScriptedApp, type ScriptedApp } from '../support/scripted-app';

/** What a target costs in Redis: the shape of its job hash (compact state, lean opts) and the events stream cap. */

const redis = usePrivateRedis();
const apps = useClosedAfterEach<ScriptedApp>();

async function start(queueName: string): Promise<ScriptedApp> {
  const app = await startScriptedApp(new PollRecorder(), {
    redis: redis.url,
    queueName,
    polling: fastPolling(),
    targets: [{ name: 'a', type: 'scripted' }],
  });
  apps.push(app);
  return app;
}

const jobKey = (queueName: string) => `bull:${queueName}:target-${encodeURIComponent('scripted::a')}`;

async function polledState(app: ScriptedApp, atLeast: number): Promise<TargetPollState> {
  return eventually(async () => {
    const state = (await app.engine.snapshot('scripted::a'))?.state;
    return state && state.totals.polls >= atLeast ? state : null;
  }, `scripted::a polled ${atLeast} times`);
}

describe('job state storage on a real Redis', () => {
  it('stores a polled target compactly: positional state, no removeOn* opts, a capped events stream', async () => {
    const queueName = 'storage-compact';
    const app = await start(queueName);
    await polledState(app, 2);
    const [data, opts] = await redis.client.hmget(jobKey(queueName), 'data', 'opts');
    const parsed = JSON.parse(data!) as { key: string; state: unknown };
    expect(parsed.key).toBe('scripted::a');
    expect(Array.isArray(parsed.state)).toBe(true);
    expect(targetStateFromJobData(parsed)?.totals.polls).toBeGreaterThanOrEqual(2);
    expect(data!.length).toBeLessThan(200);
    expect(Object.keys(JSON.parse(opts!) as object).sort()).toEqual(['attempts', 'delay', 'jobId']);
    expect(await redis.client.hget(`bull:${queueName}:meta`, 'opts.maxLenEvents')).toBe(String(POLL_QUEUE_EVENTS_MAX_LEN));
  });

  it('keeps the state of a job written in the object form of older versions, and rewrites it compactly', async () => {
    const queueName = 'storage-legacy';
    const first = await start(queueName);
    await polledState(first, 1);
    await apps.pop()!.close();

    // What an older version left in the job: the state as a plain object.
    const now = Date.now();
    const legacy: TargetPollState = {
      ...initialTargetState(testPollingOptions(), now),
      lastPollAtMs: now - 1_000,
      lastSuccessAtMs: now - 1_000,
      lastResultHash: 'legacy-hash',
      breaker: { state: 'closed', generation: 7, failures: 0, backoffStep: 0, openedAtMs: null, retryAtMs: null },
      intervalMs: 100,
      nextRunAtMs: now,
      totals: { polls: 41, failures: 2, changes: 5 },
    };
    await redis.client.hset(jobKey(queueName), 'data', JSON.stringify({ key: 'scripted::a', dueAtMs: now, state: legacy }));

    const second = await start(queueName);
    const state = await polledState(second, 42);
    expect(state.breaker.generation).toBe(7);
    expect(state.totals.failures).toBe(2);
    const data = JSON.parse((await redis.client.hget(jobKey(queueName), 'data'))!) as { state: unknown };
    expect(Array.isArray(data.state)).toBe(true);
  });
});
