import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AdaptivePollingBullBoardModule } from 'nestjs-adaptive-polling/bull-board';
import { PermanentPollError } from 'nestjs-adaptive-polling';
import { startObservedApp, type ObservedApp } from '../support/observed-app';
import { PollRecorder, fastPolling } from '../support/scripted-app';
import { startPrivateRedis, type PrivateRedis } from '../support/private-redis';
import { eventually } from '../support/events';

/**
 * What Bull Board's API shows of the poll jobs, on a real app and a private
 * Redis: each job's data decoded into named fields (no positional state),
 * no secret, and a delayed job's run time that the board can show.
 */

const QUEUE = 'board-jobs';
const SECRETS = ['hunter2-board', 'tok-board-91', 'urlpass-board'];

let redis: PrivateRedis;
let app: ObservedApp | null = null;

beforeAll(async () => {
  redis = await startPrivateRedis();
});
afterAll(async () => {
  await redis.stop();
});
afterEach(async () => {
  await app?.close();
  app = null;
});

interface BoardJob {
  id: string;
  name: string;
  timestamp: number;
  delay: number;
  opts: { delay?: number };
  data: any;
  failedReason?: string;
}

async function boardJobs(url: string, status: string): Promise<{ jobs: BoardJob[]; text: string }> {
  const response = await fetch(`${url}/admin/queues/api/queues?activeQueue=${QUEUE}&status=${status}&page=1&jobsPerPage=50`);
  const text = await response.text();
  expect(response.status, text).toBe(200);
  const body = JSON.parse(text) as { queues: Array<{ name: string; jobs: BoardJob[] }> };
  return { jobs: body.queues.find((q) => q.name === QUEUE)!.jobs, text };
}

/** The bare arrays the compact state is made of: a positional state would show as one of these. */
function positionalArrays(value: unknown, path = 'data'): string[] {
  if (Array.isArray(value)) return [path];
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([name, inner]) => positionalArrays(inner, `${path}.${name}`));
  }
  return [];
}

describe('Bull Board job view', () => {
  it('shows each job data as named fields, without secrets, and the real next run of a delayed job', async () => {
    const recorder = new PollRecorder();
    recorder.behaviours.set('failing', () => {
      throw new PermanentPollError('HTTP 401 from https://monitor:urlpass-board@pve.example/api2/json?token=tok-board-91', {
        statusCode: 401,
      });
    });
    const connection = { baseUrl: 'https://monitor:urlpass-board@pve.example:8006', password: 'hunter2-board' };
    app = await startObservedApp(
      recorder,
      {
        queueName: QUEUE,
        redis: redis.url,
        polling: fastPolling(),
        targets: [
          { name: 'healthy', type: 'scripted', fixedIntervalMs: 3_600_000, connection },
          { name: 'failing', type: 'scripted', connection },
          { name: 'resting', type: 'scripted', paused: true, connection },
        ],
      },
      [AdaptivePollingBullBoardModule.forRoot()],
    );
    const engine = app.engine;
    await eventually(async () => (await engine.snapshot('scripted::healthy'))?.state?.totals.polls === 1, 'healthy polled once');
    await eventually(async () => (await engine.snapshot('scripted::failing'))?.state?.deadLetter, 'failing is dead-lettered');

    const { jobs, text } = await boardJobs(app.url, 'delayed');
    for (const secret of SECRETS) expect(text, `the board API shows ${secret}`).not.toContain(secret);
    const byName = new Map(jobs.map((job) => [job.name, job]));
    expect([...byName.keys()].sort()).toEqual(['scripted::failing', 'scripted::healthy', 'scripted::resting']);
    for (const job of jobs) expect(positionalArrays(job.data), job.name).toEqual([]);

    const healthy = byName.get('scripted::healthy')!;
    const healthyState = (await engine.snapshot('scripted::healthy'))!.state!;
    expect(healthy.data).toMatchObject({
      target: 'scripted::healthy',
      paused: false,
      dueAt: new Date(healthyState.nextRunAtMs!).toISOString(),
      state: {
        interval: '1h',
        intervalMs: 3_600_000,
        nextRunAt: new Date(healthyState.nextRunAtMs!).toISOString(),
        consecutiveFailures: 0,
        lastError: null,
        deadLetter: null,
        breaker: { state: 'closed', failures: 0 },
        totals: { polls: 1, failures: 0 },
      },
    });
    // The board shows "Will run at" as timestamp + (opts.delay || delay), and "run time unknown" when delay != opts.delay.
    expect(healthy.delay).toBe(healthy.opts.delay);
    expect(healthy.timestamp + (healthy.opts.delay || healthy.delay)).toBe(healthyState.nextRunAtMs);

    const failing = byName.get('scripted::failing')!;
    expect(failing.data.state).toMatchObject({
      consecutiveFailures: 1,
      lastError: { kind: 'permanent', message: expect.stringContaining('https://***@pve.example') },
      deadLetter: { reason: 'permanent_failure', failures: 1, lastError: expect.stringContaining('token=***') },
    });
    // Parked: due at its dead-letter retry, which the board shows as its run time.
    expect(failing.data.dueAt).toBe(failing.data.state.deadLetter.retryAt);
    expect(failing.timestamp + (failing.opts.delay || failing.delay)).toBe(Date.parse(failing.data.dueAt));

    // Paused from the start: its job was added ten years out and never ran.
    expect(byName.get('scripted::resting')!.data).toEqual({
      target: 'scripted::resting',
      dueAt: expect.stringMatching(/^20[3-9]\d-/),
      paused: true,
      state: null,
    });

    // One job on its own (the job page) reads the same.
    const one = await fetch(`${app.url}/admin/queues/api/queues/${QUEUE}/${encodeURIComponent(healthy.id)}`);
    const oneText = await one.text();
    expect(one.status, oneText).toBe(200);
    const detail = JSON.parse(oneText) as { job: BoardJob };
    expect(detail.job.data).toEqual(healthy.data);
    expect(detail.job.timestamp + (detail.job.opts.delay || detail.job.delay)).toBe(healthyState.nextRunAtMs);
    for (const secret of SECRETS) expect(oneText).not.toContain(secret);
  });

  it("shows every shard's queue, each with the jobs of its targets", async () => {
    const names = Array.from({ length: 9 }, (_, i) => `s${i}`);
    app = await startObservedApp(
      new PollRecorder(),
      {
        queueName: 'board-shards',
        shards: 3,
        redis: redis.url,
        polling: fastPolling(),
        targets: names.map((name) => ({ name, type: 'scripted', fixedIntervalMs: 3_600_000 })),
      },
      [AdaptivePollingBullBoardModule.forRoot()],
    );
    const shardQueues = ['board-shards', 'board-shards-1', 'board-shards-2'];
    const listed = async () => {
      const response = await fetch(`${app!.url}/admin/queues/api/queues?status=delayed&page=1&jobsPerPage=50`);
      expect(response.status).toBe(200);
      return (await response.json()) as { queues: Array<{ name: string; counts: Record<string, number> }> };
    };
    const jobsIn = (q: { counts: Record<string, number> }) => Object.values(q.counts).reduce((a, b) => a + b, 0);
    await eventually(async () => {
      const { queues } = await listed();
      return shardQueues.every((name) => queues.some((q) => q.name === name)) && queues.reduce((n, q) => n + jobsIn(q), 0) === names.length;
    }, "the three shard queues listed with every target's job");
    const { queues } = await listed();
    expect(queues.map((q) => q.name).sort()).toEqual(shardQueues);
    for (const q of queues) expect(jobsIn(q), q.name).toBeGreaterThan(0);
  });
});
