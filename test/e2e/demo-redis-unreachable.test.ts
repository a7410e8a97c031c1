import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDemo, startDemo, type DemoProcess } from '../support/demo-process';
import { eventually } from '../support/events';
import { freePort } from '../support/redis-process';
import { startPrivateRedis } from '../support/private-redis';
import { startTcpProxy } from '../support/tcp-proxy';

const demos: DemoProcess[] = [];
beforeAll(() => buildDemo(), 300_000);
afterAll(async () => {
  for (const demo of demos) await demo.stop('SIGKILL');
});

/** Lines of the demo's output that talk about Redis or its connection errors. */
function redisLines(output: string): string[] {
  return output.split('\n').filter((line) => /redis|ECONNREFUSED/i.test(line));
}

describe('the demo without Redis', () => {
  it('serves /health (503) within 10 s of listening, logs a few lines about it, exits on SIGTERM', async () => {
    // A port nobody listens on: every connection attempt is refused.
    const port = await freePort();
    const demo = await startDemo({
      PORT: '0',
      REDIS_URL: `redis://:hunter2-redis@127.0.0.1:${port}`,
      ADAPTIVE_POLLING_API_TOKEN: 'outage-test-api-token',
    });
    demos.push(demo);
    const listeningAt = Date.now();
    const health = await eventually(
      async () => {
        const response = await fetch(`${demo.url}/health`, { signal: AbortSignal.timeout(2_000) }).catch(() => null);
        return response && { status: response.status, body: await response.text(), ms: Date.now() - listeningAt };
      },
      '/health answered',
      10_000,
    );
    console.log(`demo without Redis: /health answered ${health.status} ${health.ms} ms after listening`);
    expect(health.status).toBe(503);
    expect(health.body).toContain('Redis');
    const api = await fetch(`${demo.url}/api/monitoring/scheduler/health`, { headers: { authorization: 'Bearer outage-test-api-token' } });
    expect(api.status).toBe(503);
    expect(await api.json()).toMatchObject({ statusCode: 503, message: expect.stringContaining('Redis') });

    // Watch the log for 15 s of outage (reconnects every 2 s at most): one line per connection, not one per retry.
    const before = redisLines(demo.output()).length;
    await eventually(async () => Date.now() - listeningAt > 15_000, '15 s of outage', 20_000, 500);
    const lines = redisLines(demo.output());
    console.log(`demo without Redis: ${lines.length} log lines about Redis in the first 15 s (${lines.length - before} after listening)`);
    expect(lines.length - before).toBeLessThanOrEqual(3);
    expect(lines.some((line) => line.includes('REDIS_URL'))).toBe(true);
    expect(demo.output()).not.toContain('hunter2-redis');
    expect(demo.output()).not.toMatch(/at TCPConnectWrap/);

    const stopping = Date.now();
    const code = await demo.stop('SIGTERM', 15_000);
    console.log(`demo without Redis: exited ${Date.now() - stopping} ms after SIGTERM (code ${code}, signal ${demo.child.signalCode})`);
    // Nest re-raises the signal once closed; SIGKILL would mean the bound ran out.
    expect(code === 0 || demo.child.signalCode === 'SIGTERM').toBe(true);
    expect(Date.now() - stopping).toBeLessThan(10_000);
  }, 120_000);

  it('polling, then Redis goes away: SIGTERM exits promptly', async () => {
    const redis = await startPrivateRedis();
    const proxy = await startTcpProxy(redis.host, redis.port);
    try {
      const demo = await startDemo({ PORT: '0', REDIS_URL: proxy.url, ADAPTIVE_POLLING_API_TOKEN: 'outage-test-api-token' });
      demos.push(demo);
      await eventually(async () => (await fetch(`${demo.url}/health`)).status === 200, 'healthy with Redis', 15_000);
      await proxy.cutOff();
      await eventually(async () => (await fetch(`${demo.url}/health`)).status === 503, '/health says Redis is gone', 5_000);
      const stopping = Date.now();
      const code = await demo.stop('SIGTERM', 15_000);
      console.log(
        `demo after Redis went away: exited ${Date.now() - stopping} ms after SIGTERM (code ${code}, signal ${demo.child.signalCode})`,
      );
      expect(code === 0 || demo.child.signalCode === 'SIGTERM').toBe(true);
      expect(Date.now() - stopping).toBeLessThan(10_000);
    } finally {
      await proxy.close();
      await redis.stop();
    }
  }, 120_000);
});
