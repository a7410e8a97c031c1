import { describe, expect, it } from 'vitest';
import { PermanentPollError, TransientPollError, type EngineEventMap } from 'nestjs-adaptive-polling';
import { useClosedAfterEach, usePrivateRedis } from '../support/redis-fixture';
import { eventually, waitForEvent } from '../support/events';
import { PollRecorder, fastPolling, startScriptedApp, type ScriptedApp } from '../support/scripted-app';

type Finished = EngineEventMap['poll:finished'][0];
type Transition = EngineEventMap['transition'][0];
type Applied = EngineEventMap['operator:applied'][0];

const redis = usePrivateRedis();
const apps = useClosedAfterEach<ScriptedApp>();
let queueSeq = 0;

async function start(recorder: PollRecorder, options: Partial<Parameters<typeof startScriptedApp>[1]> & { queueName: string }) {
  const app = await startScriptedApp(recorder, { redis: redis.url, polling: fastPolling(), ...options });
  apps.push(app);
  return app;
}

function freshQueue(): string {
  queueSeq += 1;
  return `engine-test-${queueSeq}`;
}

function scripted(name: string) {
  return { name, type: 'scripted' };
}

/** An hour between polls: in tests that use it, every poll after the first is one the test caused. */
function hourlyPolling() {
  return fastPolling({ minInterval: '1h', baseInterval: '1h', maxInterval: '2h' });
}

/**
 * One target on an hourly interval whose first poll is started now and held
 * until `release()`: operator actions can then be queued while it runs.
 */
async function startHeldPoll(name: string) {
  const recorder = new PollRecorder();
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  recorder.behaviours.set(name, async (_ctx, n) => {
    if (n === 1) await gate;
    return { n };
  });
  const queueName = freshQueue();
  const { engine } = await start(recorder, { queueName, targets: [scripted(name)], polling: hourlyPolling() });
  const started = waitForEvent(engine.events, 'poll:started');
  await engine.triggerNow(`scripted::${name}`);
  await started;
  return { engine, queueName, release };
}

async function jobIds(queueName: string): Promise<string[]> {
  const keys = await redis.client.keys(`bull:${queueName}:target-*`);
  return keys.filter((k) => !k.endsWith(':lock') && !k.endsWith(':logs')).sort();
}

describe('engine on a real Redis', () => {
  it('polls a target repeatedly at the interval its policy chose', async () => {
    const recorder = new PollRecorder();
    const queueName = freshQueue();
    const { engine } = await start(recorder, { queueName, targets: [scripted('a')] });
    const finished: Finished[] = [];
    engine.events.on('poll:finished', (e) => finished.push(e));
    await eventually(async () => finished.length >= 4, 'four polls finished');
    const starts: number[] = [];
    for (const e of finished) {
      expect(e.success).toBe(true);
      // fixed policy, base 100 ms, jitter 5 %
      expect(e.decision.state.intervalMs).toBeGreaterThanOrEqual(95);
      expect(e.decision.state.intervalMs).toBeLessThanOrEqual(105);
      starts.push(e.decision.state.lastPollAtMs!);
    }
    for (let i = 1; i < starts.length; i++) expect(starts[i] - starts[i - 1]).toBeGreaterThanOrEqual(90);
  });

  it('parks a target after 1 permanent failure and schedules its one retry 30 min later', async () => {
    const recorder = new PollRecorder();
    recorder.behaviours.set('locked', () => {
      throw new PermanentPollError('HTTP 401', { statusCode: 401 });
    });
    const queueName = freshQueue();
    const { engine } = await start(recorder, { queueName, targets: [scripted('locked')] });
    // Awaited on the shared state, not an event: the first poll may finish while
    // other bootstrap hooks still run, before a listener could be attached.
    const snap = await eventually(async () => {
      const s = await engine.snapshot('scripted::locked');
      return s?.state?.deadLetter ? s : null;
    }, 'locked is dead-lettered');
    expect(recorder.count('scripted::locked')).toBe(1);
    expect(snap.state!.deadLetter!.reason).toBe('permanent_failure');
    expect(snap.state!.nextRunAtMs! - Date.now()).toBeGreaterThan(29 * 60_000);
  });

  it('parks a target after 5 transient failures', async () => {
    const recorder = new PollRecorder();
    recorder.behaviours.set('down', () => {
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    });
    const queueName = freshQueue();
    const { engine } = await start(recorder, { queueName, targets: [scripted('down')] });
    const snap = await eventually(async () => {
      const s = await engine.snapshot('scripted::down');
      return s?.state?.deadLetter ? s : null;
    }, 'down is dead-lettered');
    expect(snap.state!.deadLetter!.reason).toBe('max_retry_attempts');
    expect(recorder.count('scripted::down')).toBe(5);
    expect(snap.state!.nextRunAtMs! - Date.now()).toBeGreaterThan(29 * 60_000);
  });

  it('opens the breaker after 3 failures, lets exactly one half-open probe through, closes on success', async () => {
    const recorder = new PollRecorder();
    recorder.behaviours.set('flaky', (_ctx, n) => {
      if (n <= 3) throw new TransientPollError('HTTP 502', { statusCode: 502 });
      return { ok: n };
    });
    const queueName = freshQueue();
    const { engine } = await start(recorder, { queueName, targets: [scripted('flaky')] });
    const transitions: Transition[] = [];
    engine.events.on('transition', (t) => transitions.push(t));
    await waitForEvent<Transition>(engine.events, 'transition', (t) => t.event.type === 'breaker_transition' && t.event.to === 'closed');
    const path = transitions
      .filter((t) => t.event.type === 'breaker_transition')
      .map((t) => (t.event.type === 'breaker_transition' ? `${t.event.from}->${t.event.to}` : ''));
    expect(path).toEqual(['closed->open', 'open->half_open', 'half_open->closed']);
    // 3 failures, then the single probe, which succeeded.
    expect(recorder.count('scripted::flaky')).toBe(4);
  });

  it('aborts a hung poll at the timeout and counts it as a transient failure', async () => {
    const recorder = new PollRecorder();
    let abortedBy: unknown = null;
    recorder.behaviours.set(
      'hang',
      (ctx) =>
        new Promise((_, reject) => {
          ctx.signal.addEventListener('abort', () => {
            abortedBy = ctx.signal.reason;
            // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- rejects with whatever the signal carries, as a fetch would
            reject(ctx.signal.reason);
          });
        }),
    );
    const queueName = freshQueue();
    const { engine } = await start(recorder, {
      queueName,
      targets: [scripted('hang')],
      polling: fastPolling({ pollTimeout: '300ms' }),
    });
    const first = await waitForEvent<Finished>(engine.events, 'poll:finished');
    expect(first.success).toBe(false);
    expect(first.failure).toMatchObject({ kind: 'transient', category: 'timeout' });
    expect(first.durationMs).toBeGreaterThanOrEqual(290);
    expect(abortedBy).toBeInstanceOf(Error);
  });

  it('an operator action queued while the poll runs is applied right after it, not at the next scheduled run', async () => {
    // Hourly: only the action can make the job run again soon.
    const { engine, queueName, release } = await startHeldPoll('slow');
    const applied: Applied[] = [];
    engine.events.on('operator:applied', (e) => applied.push(e));
    // Returns while the poll still runs (the gate is closed): the API never waits for a poll.
    await engine.applyAction('scripted::slow', 'reset_breaker');
    expect(applied).toHaveLength(0);
    release();
    await eventually(async () => applied.length === 1, 'the action was applied', 10_000);
    expect(applied[0]).toMatchObject({ key: 'scripted::slow', action: 'reset_breaker' });
    // The run that applied it drained the list and cleared the job's mark.
    const jobKey = `bull:${queueName}:target-${encodeURIComponent('scripted::slow')}`;
    await eventually(async () => (await redis.client.hget(jobKey, 'progress')) === '0', 'the mark is cleared');
    expect(await redis.client.llen(`${engine.keys.ops('scripted::slow')}`)).toBe(0);
  });

  it('applies more pending actions than one run drains (150), all within seconds', async () => {
    const { engine, release } = await startHeldPoll('busy');
    let applied = 0;
    engine.events.on('operator:applied', () => applied++);
    for (let i = 0; i < 150; i++) await engine.applyAction('scripted::busy', 'purge_dead_letter');
    release();
    await eventually(async () => applied === 150, 'all 150 actions applied', 10_000);
    expect(await redis.client.llen(engine.keys.ops('scripted::busy'))).toBe(0);
  });

  it('two app instances on one Redis never overlap a target, and each target has exactly one job', async () => {
    const recorder = new PollRecorder();
    recorder.defaultBehaviour = async (_ctx, n) => {
      // Long enough that overlapping runs would be seen.
      await new Promise((r) => setTimeout(r, 20));
      return { n };
    };
    const queueName = freshQueue();
    const targets = Array.from({ length: 8 }, (_, i) => scripted(`t${i}`));
    await start(recorder, { queueName, targets });
    await start(recorder, { queueName, targets });
    await eventually(async () => targets.every((t) => recorder.count(`scripted::${t.name}`) >= 10), 'every target polled 10 times', 30_000);
    for (const t of targets) expect(recorder.maxConcurrent.get(`scripted::${t.name}`)).toBe(1);
    expect(await jobIds(queueName)).toHaveLength(targets.length);
  });

  it("snapshots() and listTargets() follow every change: each poll's new state, targets added and removed on another replica", async () => {
    const recorder = new PollRecorder();
    const queueName = freshQueue();
    // Hourly: each poll below is one the test asked for.
    const polling = hourlyPolling();
    const a = await start(recorder, { queueName, targets: [scripted('s')], polling });
    const b = await start(recorder, { queueName, targets: [scripted('s')], polling });
    for (let n = 1; n <= 3; n++) {
      // Read before the poll too, so the next read has a state to (wrongly) reuse.
      const before = (await a.engine.snapshots())[0];
      expect(before.state?.totals.polls ?? 0).toBe(n - 1);
      const finished = Promise.race([
        waitForEvent<Finished>(a.engine.events, 'poll:finished'),
        waitForEvent<Finished>(b.engine.events, 'poll:finished'),
      ]);
      expect(await a.engine.triggerNow('scripted::s')).toBe(true);
      const event = await finished;
      const after = await eventually(async () => {
        const snap = (await a.engine.snapshots())[0];
        return !snap.running && snap.state?.totals.polls === n ? snap : null;
      }, `poll ${n} in the snapshot`);
      expect(after.state!.lastPollAtMs).toBe(event.decision.state.lastPollAtMs);
    }
    await b.engine.addTarget(scripted('added-on-b'));
    expect((await a.engine.listTargets()).map((t) => t.name)).toEqual(['added-on-b', 's']);
    expect((await a.engine.snapshots()).map((s) => s.definition.name)).toEqual(['added-on-b', 's']);
    await b.engine.removeTarget('scripted::added-on-b');
    expect((await a.engine.listTargets()).map((t) => t.name)).toEqual(['s']);
    expect((await a.engine.snapshots()).map((s) => s.definition.name)).toEqual(['s']);
  });

  it('removing a target removes its job', async () => {
    const recorder = new PollRecorder();
    const queueName = freshQueue();
    const { engine } = await start(recorder, { queueName, targets: [scripted('keep'), scripted('drop')] });
    await eventually(async () => recorder.count('scripted::drop') >= 1, 'drop polled once');
    await engine.removeTarget('scripted::drop');
    await eventually(async () => (await jobIds(queueName)).length === 1, 'only one job left');
    expect(await jobIds(queueName)).toEqual([`bull:${queueName}:target-${encodeURIComponent('scripted::keep')}`]);
    expect(await engine.getTarget('scripted::drop')).toBeUndefined();
  });

  it('a restart resumes the existing schedule instead of polling everything at once', async () => {
    const recorder = new PollRecorder();
    const queueName = freshQueue();
    // After the first poll the next run is an hour away.
    const polling = hourlyPolling();
    const targets = [scripted('r1'), scripted('r2'), scripted('r3')];
    const first = await start(recorder, { queueName, targets, polling });
    // New targets are spread over one base interval: trigger them now instead of waiting.
    for (const t of targets) await first.engine.triggerNow(`scripted::${t.name}`);
    await eventually(async () => targets.every((t) => recorder.count(`scripted::${t.name}`) === 1), 'each polled once');
    const before = await first.engine.snapshots();
    await first.close();
    apps.splice(apps.indexOf(first), 1);

    const second = await start(recorder, { queueName, targets, polling });
    const after = await second.engine.snapshots();
    expect(after.map((s) => s.state?.nextRunAtMs)).toEqual(before.map((s) => s.state?.nextRunAtMs));
    for (const s of after) expect(s.state!.nextRunAtMs! - Date.now()).toBeGreaterThan(50 * 60_000);
    expect(await jobIds(queueName)).toHaveLength(3);
    for (const t of targets) expect(recorder.count(`scripted::${t.name}`)).toBe(1);
  });

  it('rebuilds the schedule within seconds when Redis is emptied', async () => {
    const recorder = new PollRecorder();
    const queueName = freshQueue();
    const targets = [scripted('f1'), scripted('f2')];
    const runtime = { name: 'added-at-runtime', type: 'scripted' };
    const { engine } = await start(recorder, { queueName, targets, reconcileIntervalMs: 500 });
    await engine.addTarget(runtime);
    await eventually(async () => (await jobIds(queueName)).length === 3, 'three jobs');
    const rebuilt = waitForEvent(engine.events, 'schedule:rebuilt', () => true, 10_000);
    await redis.client.flushall();
    await rebuilt;
    await eventually(async () => (await jobIds(queueName)).length === 3, 'three jobs again', 10_000);
    expect((await engine.listTargets()).map((t) => t.name).sort()).toEqual(['added-at-runtime', 'f1', 'f2']);
  });
});
