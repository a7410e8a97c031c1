import { afterEach, describe, expect, it } from 'vitest';
import { useClosedAfterEach, usePrivateRedis } from '../support/redis-fixture';
import { eventually } from '../support/events';
import { AdaptivePollingBullBoardModule } from 'nestjs-adaptive-polling/bull-board';
import { AdaptivePollingPrometheusModule } from 'nestjs-adaptive-polling/prometheus';
import { CapturingLogger } from '../support/capturing-logger';
import { startObservedApp, type ObservedApp } from '../support/observed-app';
import { PollRecorder, fastPolling } from '../support/scripted-app';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';

const redis = usePrivateRedis();
const apps = useClosedAfterEach<ObservedApp>();
const proxies: TcpProxy[] = [];
afterEach(async () => {
  while (proxies.length) await proxies.pop()!.close();
});
let queueSeq = 0;

const HEALTH = '/api/monitoring/scheduler/health';
const OUTAGE_MS = 20_000;
const ANSWER_BOUND_MS = 2_000;
const TARGETS = ['a', 'b', 'c'];

async function proxy(): Promise<TcpProxy> {
  const p = await startTcpProxy(redis.server.host, redis.server.port);
  proxies.push(p);
  return p;
}

async function start(recorder: PollRecorder, redisUrl: string, logger = new CapturingLogger()): Promise<ObservedApp> {
  queueSeq += 1;
  const app = await startObservedApp(
    recorder,
    {
      redis: redisUrl,
      queueName: `outage-${queueSeq}`,
      polling: fastPolling(),
      targets: TARGETS.map((name) => ({ name, type: 'scripted' })),
    },
    [AdaptivePollingPrometheusModule.forRoot(), AdaptivePollingBullBoardModule.forRoot()],
    logger,
  );
  apps.push(app);
  return app;
}

interface Probe {
  status: number;
  ms: number;
  body: string;
  contentType: string | null;
}

async function probe(url: string, method = 'GET'): Promise<Probe> {
  const started = performance.now();
  const response = await fetch(url, { method, signal: AbortSignal.timeout(10_000) });
  const body = await response.text();
  return { status: response.status, ms: Math.round(performance.now() - started), body, contentType: response.headers.get('content-type') };
}

function allPolled(recorder: PollRecorder, atLeast: (name: string) => number): boolean {
  return TARGETS.every((name) => recorder.count(`scripted::${name}`) >= atLeast(name));
}

describe('Redis outage', () => {
  it('Redis gone for 20 s: health, a management route, /metrics and the Bull Board API answer 503 within 2 s every time; polling resumes within 10 s, no target lost', async () => {
    const p = await proxy();
    const recorder = new PollRecorder();
    const logger = new CapturingLogger();
    const { url, engine } = await start(recorder, p.url, logger);
    await eventually(async () => allPolled(recorder, () => 2), 'every target polled');
    expect((await probe(`${url}${HEALTH}`)).status).toBe(200);

    await p.cutOff();
    const outageStarted = Date.now();
    const probes: Probe[] = [];
    while (Date.now() - outageStarted < OUTAGE_MS) {
      const [health, metrics, action, board] = await Promise.all([
        probe(`${url}${HEALTH}`),
        probe(`${url}/metrics`),
        probe(`${url}/api/monitoring/instances/${encodeURIComponent('scripted::a')}/pause`, 'POST'),
        probe(`${url}/admin/queues/api/queues`),
      ]);
      expect(health.status, health.body).toBe(503);
      expect(JSON.parse(health.body)).toMatchObject({ statusCode: 503, message: expect.stringContaining('Redis') });
      expect(metrics.status, metrics.body).toBe(503);
      expect(metrics.contentType).toContain('text/plain');
      expect(metrics.body).toContain('Redis');
      expect(action.status, action.body).toBe(503);
      expect(board.status, board.body).toBe(503);
      probes.push(health, metrics, action, board);
    }
    const slowest = Math.max(...probes.map((x) => x.ms));
    console.log(`outage: ${probes.length} probes answered 503, slowest ${slowest} ms`);
    expect(slowest).toBeLessThan(ANSWER_BOUND_MS);

    const counts = new Map(TARGETS.map((name) => [name, recorder.count(`scripted::${name}`)]));
    await p.restore();
    const restoredAt = Date.now();
    await eventually(async () => allPolled(recorder, (name) => counts.get(name)! + 1), 'every target polled again', 10_000);
    console.log(`outage: every target polled again ${Date.now() - restoredAt} ms after Redis returned`);
    expect((await engine.listTargets()).map((t) => t.name).sort()).toEqual(TARGETS);
    // The management call refused during the outage was not applied later.
    expect((await engine.getTarget('scripted::a'))?.paused).toBe(false);
    await eventually(async () => (await probe(`${url}${HEALTH}`)).status === 200, 'health answers 200 again', 5_000);
    expect((await probe(`${url}/metrics`)).status).toBe(200);
    expect((await probe(`${url}/admin/queues/api/queues`)).status).toBe(200);

    // One line per connection when it went down and one when it came back, not one per retry.
    const down = logger.lines.filter((line) => line.includes('unreachable ('));
    const back = logger.lines.filter((line) => line.includes('is back ('));
    console.log(`outage: ${logger.lines.length} log lines in all, ${down.length} down, ${back.length} back`);
    const connections = (lines: string[]) => lines.map((line) => /\((adaptive-polling:[\w-]+)\)/.exec(line)?.[1]).sort();
    expect(connections(down)).toEqual([
      'adaptive-polling:bull-board',
      'adaptive-polling:commands',
      'adaptive-polling:replica',
      'adaptive-polling:worker',
    ]);
    expect(connections(back)).toEqual(connections(down));
    // Little else after start-up: no socket error beside the state lines, nothing per retry, no stack.
    // What may remain is about a poll the outage caught mid-run: its lock renewal and its commit.
    const started = logger.lines.findIndex((line) => line.includes('application successfully started'));
    const others = logger.lines.slice(started + 1).filter((line) => !down.includes(line) && !back.includes(line));
    console.log(`outage: other lines after start-up:\n${others.join('\n')}`);
    expect(others.filter((line) => /ECONNRESET|ECONNREFUSED|EPIPE|Connection is closed/.test(line))).toEqual([]);
    expect(new Set(others).size, others.join('\n')).toBe(others.length);
    expect(others.length, others.join('\n')).toBeLessThanOrEqual(2 * TARGETS.length);
    expect(logger.lines.join('\n')).not.toMatch(/\n\s+at /);
  }, 60_000);

  it('started while Redis is unreachable: listens, answers 503 at once, polls once Redis answers', async () => {
    const p = await proxy();
    await p.cutOff();
    const recorder = new PollRecorder();
    const { url } = await start(recorder, p.url);
    const health = await probe(`${url}${HEALTH}`);
    expect(health.status, health.body).toBe(503);
    expect(health.ms).toBeLessThan(ANSWER_BOUND_MS);
    expect((await probe(`${url}/metrics`)).status).toBe(503);
    await p.restore();
    await eventually(async () => allPolled(recorder, () => 1), 'every target polled once Redis answers', 10_000);
    await eventually(async () => (await probe(`${url}${HEALTH}`)).status === 200, 'health answers 200', 5_000);
  }, 30_000);

  it('closes promptly with Redis gone', async () => {
    const p = await proxy();
    const recorder = new PollRecorder();
    const app = await start(recorder, p.url);
    await eventually(async () => allPolled(recorder, () => 1), 'every target polled');
    await p.cutOff();
    // As a SIGTERM during an outage finds it: the connections have seen Redis go.
    await eventually(async () => !app.engine.isRedisReady, 'the engine saw Redis go', 5_000);
    apps.pop();
    const started = Date.now();
    await app.close();
    console.log(`outage: app closed ${Date.now() - started} ms after close() with Redis gone`);
    expect(Date.now() - started).toBeLessThan(3_000);
  }, 30_000);
});
