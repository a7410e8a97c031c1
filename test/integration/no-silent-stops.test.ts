import { describe, expect, it } from 'vitest';
import type { EngineEventMap, IntervalPolicy } from 'nestjs-adaptive-polling';
import { useClosedAfterEach, usePrivateRedis } from '../support/redis-fixture';
import { eventually, waitForEvent } from '../support/events';
import { PollRecorder, fastPolling, startScriptedApp, type ScriptedApp } from '../support/scripted-app';
import { startTcpProxy } from '../support/tcp-proxy';

type EngineError = EngineEventMap['engine:error'][0];

const redis = usePrivateRedis();
const apps = useClosedAfterEach<ScriptedApp>();
let queueSeq = 0;

function freshQueue(): string {
  queueSeq += 1;
  return `silent-stops-${queueSeq}`;
}

async function start(recorder: PollRecorder, options: Partial<Parameters<typeof startScriptedApp>[1]> & { queueName: string }) {
  const app = await startScriptedApp(recorder, { redis: redis.url, polling: fastPolling(), ...options });
  apps.push(app);
  return app;
}

async function failedCount(queueName: string): Promise<number> {
  return redis.client.zcard(`bull:${queueName}:failed`);
}

/** A fixed 100 ms policy that throws on its `failOn`-th call. */
function throwingPolicy(failOn: number): IntervalPolicy & { calls: number } {
  const policy = {
    name: 'throws-once',
    calls: 0,
    nextInterval() {
      policy.calls += 1;
      if (policy.calls === failOn) throw new Error('policy bug');
      return { intervalMs: 100, state: null };
    },
  };
  return policy;
}

describe('no silent stops', () => {
  it('a policy that throws on one call: polled again within 2 base intervals, error counted, failed set empty', async () => {
    const recorder = new PollRecorder();
    const queueName = freshQueue();
    const policy = throwingPolicy(2);
    const { engine } = await start(recorder, {
      queueName,
      targets: [{ name: 'p', type: 'scripted' }],
      policies: [policy],
      polling: fastPolling({ policy: 'throws-once' }),
    });
    const errors: EngineError[] = [];
    engine.events.on('engine:error', (e) => errors.push(e));
    const failedAt = await eventually(async () => (policy.calls >= 2 ? Date.now() : null), 'the policy threw');
    const pollsAtFailure = recorder.count('scripted::p');
    await eventually(async () => recorder.count('scripted::p') >= pollsAtFailure + 1, 'polled again after the throw', 5_000);
    // Two base intervals (200 ms), plus scheduling slack on a loaded machine.
    console.log(`policy throw: polled again ${Date.now() - failedAt} ms after the throw`);
    expect(Date.now() - failedAt).toBeLessThan(200 + 1_000);
    await eventually(async () => recorder.count('scripted::p') >= pollsAtFailure + 3, 'keeps its schedule', 5_000);
    expect(errors.map((e) => [e.key, e.stage])).toEqual([['scripted::p', 'decide']]);
    expect(errors[0].message).toContain('policy bug');
    expect(await failedCount(queueName)).toBe(0);
    const snap = await engine.snapshot('scripted::p');
    expect(snap!.scheduled).toBe(true);
  });

  it('a classifier that throws: the built-in rules classify, the error is recorded, polled again, failed set empty', async () => {
    const recorder = new PollRecorder();
    // The second poll fails: the first lets the test attach its listener.
    recorder.behaviours.set('c', (_ctx, n) => {
      if (n === 2) throw new Error('upstream said no');
      return { n };
    });
    const queueName = freshQueue();
    let classified = 0;
    const { engine } = await start(recorder, {
      queueName,
      targets: [{ name: 'c', type: 'scripted' }],
      classifier: () => {
        classified += 1;
        throw new Error('classifier bug');
      },
    });
    const failed = await waitForEvent<EngineEventMap['poll:finished'][0]>(engine.events, 'poll:finished', (e) => !e.success);
    // Counted as a poll error (its category from the built-in rules), with the classifier's throw in the message.
    expect(failed.failure!.message).toContain('custom failure classifier threw: classifier bug');
    expect(failed.decision.state.lastError!.message).toContain('classifier bug');
    expect(classified).toBe(1);
    await eventually(async () => recorder.count('scripted::c') >= 4, 'polled again after the classifier threw', 5_000);
    expect(await failedCount(queueName)).toBe(0);
  });

  it('a failed state write emits no event, and the target is polled again', async () => {
    const recorder = new PollRecorder();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    recorder.behaviours.set('w', async (_ctx, n) => {
      if (n === 1) await gate;
      return { n };
    });
    const queueName = freshQueue();
    const { engine } = await start(recorder, {
      queueName,
      targets: [{ name: 'w', type: 'scripted' }],
      // Hourly: the first poll runs only when the test triggers it.
      polling: fastPolling({ minInterval: '1h', baseInterval: '1h', maxInterval: '2h' }),
      stalledIntervalMs: 1_000,
    });
    const started = waitForEvent(engine.events, 'poll:started');
    await engine.triggerNow('scripted::w');
    await started;
    const finished: unknown[] = [];
    engine.events.on('poll:finished', (e) => finished.push(e));
    // Another worker's token on the lock: the lock-checked write must fail.
    const lockKey = `bull:${queueName}:target-${encodeURIComponent('scripted::w')}:lock`;
    await redis.client.set(lockKey, 'someone-else', 'PX', 1_000);
    const commitFailed = waitForEvent<EngineError>(engine.events, 'engine:error', (e) => e.stage === 'commit');
    release();
    await commitFailed;
    expect(finished).toEqual([]);
    // Once the foreign lock expires, the stalled check gives the job back.
    await eventually(async () => recorder.count('scripted::w') >= 2, 'polled again', 10_000);
    expect(await failedCount(queueName)).toBe(0);
  });

  it("an operator action whose run's state write fails is applied by the next run, once", async () => {
    const recorder = new PollRecorder();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    recorder.behaviours.set('a', async (_ctx, n) => {
      if (n === 1) await gate;
      return { n };
    });
    const queueName = freshQueue();
    const { engine } = await start(recorder, {
      queueName,
      targets: [{ name: 'a', type: 'scripted' }],
      polling: fastPolling({ minInterval: '1h', baseInterval: '1h', maxInterval: '2h' }),
      stalledIntervalMs: 1_000,
    });
    const applied: Array<EngineEventMap['operator:applied'][0]> = [];
    engine.events.on('operator:applied', (e) => applied.push(e));
    const started = waitForEvent(engine.events, 'poll:started');
    // The run takes the action, applies it, then polls (held at the gate).
    await engine.applyAction('scripted::a', 'reset_breaker', 'operator:test');
    await started;
    const lockKey = `bull:${queueName}:target-${encodeURIComponent('scripted::a')}:lock`;
    await redis.client.set(lockKey, 'someone-else', 'PX', 1_000);
    const commitFailed = waitForEvent<EngineError>(engine.events, 'engine:error', (e) => e.stage === 'commit');
    release();
    await commitFailed;
    expect(applied).toEqual([]);
    // The stalled check gives the job back; its run finds the action still queued.
    await eventually(async () => applied.length > 0, 'the action applied by the next run', 10_000);
    await eventually(async () => recorder.count('scripted::a') >= 2, 'polled again', 10_000);
    expect(applied.map((e) => [e.action, e.actor])).toEqual([['reset_breaker', 'operator:test']]);
    expect(await redis.client.exists(engine.keys.ops('scripted::a'))).toBe(0);
  });

  it('Redis connections dropped in the middle of a run: polled again within 2 base intervals, failed set empty', async () => {
    const proxy = await startTcpProxy(redis.server.host, redis.server.port);
    try {
      const recorder = new PollRecorder();
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      recorder.behaviours.set('d', async (_ctx, n) => {
        if (n === 2) await gate;
        return { n };
      });
      const queueName = freshQueue();
      const { engine } = await start(recorder, { redis: proxy.url, queueName, targets: [{ name: 'd', type: 'scripted' }] });
      const errors: EngineError[] = [];
      engine.events.on('engine:error', (e) => errors.push(e));
      await eventually(async () => recorder.count('scripted::d') >= 2, 'the second poll is running');
      // Every connection of the app (commands, worker, blocking) is cut while the poll runs.
      expect(proxy.dropAll()).toBeGreaterThan(0);
      const releasedAt = Date.now();
      release();
      await eventually(async () => recorder.count('scripted::d') >= 3, 'polled again after the drop', 10_000);
      // Two base intervals (200 ms) plus ioredis' reconnect and load slack.
      console.log(`redis drop: polled again ${Date.now() - releasedAt} ms after the drop, ${errors.length} engine errors`);
      expect(Date.now() - releasedAt).toBeLessThan(200 + 2_000);
      await eventually(async () => recorder.count('scripted::d') >= 5, 'keeps its schedule', 10_000);
      expect(await failedCount(queueName)).toBe(0);
      // A drop that failed a command was reported at its stage, and the run rescheduled.
      for (const e of errors) expect(e.key).toBe('scripted::d');
    } finally {
      for (const app of apps.splice(0)) await app.close();
      await proxy.close();
    }
  });

  it('reconcile re-creates a job found in the failed set, with its last known state', async () => {
    const recorder = new PollRecorder();
    const queueName = freshQueue();
    const { engine } = await start(recorder, {
      queueName,
      targets: [{ name: 'f', type: 'scripted' }],
      polling: fastPolling({ minInterval: '1h', baseInterval: '1h', maxInterval: '2h' }),
      reconcileIntervalMs: 300,
    });
    await engine.triggerNow('scripted::f');
    const polled = await eventually(async () => {
      const s = await engine.snapshot('scripted::f');
      return s?.state?.totals.polls === 1 ? s : null;
    }, 'polled once');
    // Put the job where a throw out of a run used to put it: BullMQ's failed set.
    const jobId = `target-${encodeURIComponent('scripted::f')}`;
    await redis.client.zrem(`bull:${queueName}:delayed`, jobId);
    await redis.client.zadd(`bull:${queueName}:failed`, Date.now(), jobId);
    const rebuilt = await waitForEvent<EngineEventMap['schedule:rebuilt'][0]>(engine.events, 'schedule:rebuilt', () => true, 10_000);
    expect(rebuilt).toMatchObject({ reason: 'jobs_missing', jobsCreated: 1 });
    expect(await failedCount(queueName)).toBe(0);
    const after = await engine.snapshot('scripted::f');
    expect(after!.scheduled).toBe(true);
    expect(after!.state!.totals.polls).toBe(1);
    expect(after!.state!.nextRunAtMs).toBe(polled.state!.nextRunAtMs);
    expect(await redis.client.zscore(`bull:${queueName}:delayed`, jobId)).not.toBeNull();
  });

  it('the rebuild after Redis loss keeps a run-time pause of a static target', async () => {
    const recorder = new PollRecorder();
    const queueName = freshQueue();
    const { engine } = await start(recorder, {
      queueName,
      targets: [
        { name: 's1', type: 'scripted' },
        { name: 's2', type: 'scripted' },
      ],
      reconcileIntervalMs: 300,
    });
    await engine.setPaused('scripted::s1', true);
    const rebuilt = waitForEvent(engine.events, 'schedule:rebuilt', () => true, 10_000);
    await redis.client.flushall();
    await rebuilt;
    expect((await engine.getTarget('scripted::s1'))!.paused).toBe(true);
    const stored = JSON.parse((await redis.client.hget(`bull:${queueName}:ap:targets`, 'scripted::s1'))!);
    expect(stored.paused).toBe(true);
  });
});
