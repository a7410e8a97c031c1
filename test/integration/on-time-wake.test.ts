import { afterAll, describe, expect, it } from 'vitest';
import { useClosedAfterEach, usePrivateRedis } from '../support/redis-fixture';
import { eventually } from '../support/events';
import { PollRecorder, fastPolling, startScriptedApp, type ScriptedApp } from '../support/scripted-app';

const redis = usePrivateRedis();
const apps = useClosedAfterEach<ScriptedApp>();

afterAll(async () => {
  await redis.client.config('SET', 'hz', '10').catch(() => undefined);
});

/**
 * Redis ends a blocked BZPOPMIN at its timeout only when its event loop
 * wakes: on other traffic, or at its cron tick (1000 / hz ms). At `hz 1` a
 * worker blocked until its next due job would start it up to a second late.
 */
describe('polls start on time on a Redis with a slow cron', () => {
  it('at hz 1, every poll of a quiet fleet starts well within a cron tick of its due time', async () => {
    await redis.client.config('SET', 'hz', '1');
    const recorder = new PollRecorder();
    const names = ['a', 'b', 'c'];
    const app = await startScriptedApp(recorder, {
      redis: redis.url,
      queueName: 'on-time-wake',
      polling: fastPolling({ minInterval: '300ms', baseInterval: '300ms' }),
      targets: names.map((name) => ({ name, type: 'scripted' })),
    });
    apps.push(app);
    const waits: number[] = [];
    const firstRuns = new Set<string>();
    app.engine.events.on('poll:started', (e) => {
      // A target's first run is due at start-up, before the worker was listening.
      if (!firstRuns.has(e.key)) firstRuns.add(e.key);
      else waits.push(e.waitMs);
    });
    await eventually(async () => waits.length >= 15, '15 polls after the first runs', 30_000, 50);
    // Without an on-time wake most of these wait for the next 1 s tick.
    expect(Math.max(...waits)).toBeLessThan(250);
  });
});
