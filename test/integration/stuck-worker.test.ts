import { describe, expect, it } from 'vitest';
import type { Worker } from 'bullmq';
import { useClosedAfterEach, usePrivateRedis } from '../support/redis-fixture';
import { eventually } from '../support/events';
import { PollRecorder, fastPolling, startScriptedApp, type ScriptedApp } from '../support/scripted-app';
import { OVERDUE_REPLACE_MS, OVERDUE_WAKE_MS } from '../../libs/adaptive-polling/src/engine/shard-watchdog';

const redis = usePrivateRedis();
const apps = useClosedAfterEach<ScriptedApp>();

/** The engine's shard workers (private): the test stops one the way a lost Redis await does, silently. */
function workersOf(app: ScriptedApp): Worker[] {
  return (app.engine as unknown as { workers: Worker[] }).workers;
}

describe('a shard worker that stops fetching without an error', () => {
  it('is replaced once its shard stays overdue with nothing running, and polling resumes', async () => {
    const recorder = new PollRecorder();
    const names = ['a', 'b', 'c'];
    const keys = names.map((n) => `scripted::${n}`);
    const app = await startScriptedApp(recorder, {
      redis: redis.url,
      queueName: 'stuck-worker',
      polling: fastPolling(),
      targets: names.map((name) => ({ name, type: 'scripted' })),
    });
    apps.push(app);
    await eventually(async () => keys.every((k) => recorder.count(k) >= 2), 'every target polled twice');

    const stuck = workersOf(app)[0];
    await stuck.pause(true);
    const stoppedAt = Date.now();
    const before = new Map(keys.map((k) => [k, recorder.count(k)]));
    await eventually(async () => workersOf(app)[0] !== stuck, 'the stuck worker replaced', 15_000, 100);
    await eventually(async () => keys.every((k) => recorder.count(k) >= before.get(k)! + 2), 'every target polled twice more', 15_000);
    // Replaced no sooner than the watchdog's bounds allow, and the stuck one stopped for good.
    expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(OVERDUE_WAKE_MS + OVERDUE_REPLACE_MS - 1_000);
    await eventually(async () => stuck.closing !== undefined, 'the stuck worker closing', 5_000, 50);
    for (const key of keys) expect(recorder.maxConcurrent.get(key)).toBe(1);
  });
});
