import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdaptivePollingBullBoardModule } from 'nestjs-adaptive-polling/bull-board';
import { AdaptivePollingPrometheusModule, StandaloneMetricsServer } from 'nestjs-adaptive-polling/prometheus';
import type { AdaptivePollingModuleOptions } from 'nestjs-adaptive-polling';
import { startObservedApp, type ObservedApp } from '../support/observed-app';
import { PollRecorder, fastPolling } from '../support/scripted-app';
import { startPrivateRedis, type PrivateRedis } from '../support/private-redis';

/**
 * Auth that resists guessing, on a real app (Nest, Express, Bull Board, a
 * private Redis): a short token is refused at start-up, and wrong tokens from
 * one address are limited on every protected route while right ones never are.
 */

const TOKEN = 'auth-limits-test-token-0123';
const MAX_FAILURES = 10; // the documented default
const HEALTH = '/api/monitoring/scheduler/health';

let redis: PrivateRedis;
let queueSeq = 0;

beforeAll(async () => {
  redis = await startPrivateRedis();
});

afterAll(async () => {
  await redis?.stop();
});

function app(options: Omit<AdaptivePollingModuleOptions, 'redis'> = {}): Promise<ObservedApp> {
  return startObservedApp(
    new PollRecorder(),
    { polling: fastPolling(), targets: [], queueName: `auth-limits-${++queueSeq}`, api: { token: TOKEN }, ...options, redis: redis.url },
    [AdaptivePollingBullBoardModule.forRoot(), AdaptivePollingPrometheusModule.forRoot()],
  );
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const basic = (password: string) => ({ authorization: `Basic ${Buffer.from(`anyone:${password}`).toString('base64')}` });

async function status(base: string, path: string, headers: Record<string, string>): Promise<{ status: number; retryAfter: string | null }> {
  const response = await fetch(`${base}${path}`, { headers });
  await response.text();
  return { status: response.status, retryAfter: response.headers.get('retry-after') };
}

describe('API tokens', () => {
  it('a token shorter than 16 characters is refused at start-up, naming the field', async () => {
    await expect(app({ api: { token: 'short-token' } })).rejects.toThrow(/api\.token: is 11 characters long; use at least 16/);
    await expect(app({ api: undefined, env: { ADAPTIVE_POLLING_API_TOKEN: 'x' } })).rejects.toThrow(
      /ADAPTIVE_POLLING_API_TOKEN: is 1 characters long; use at least 16/,
    );
  });
});

describe('failed authentication is limited per client address', () => {
  it(`REST API: after ${MAX_FAILURES} wrong tokens the address gets 429 (also with the right token) until the window ends`, async () => {
    const running = await app();
    try {
      for (let i = 0; i < MAX_FAILURES; i++) expect((await status(running.url, HEALTH, bearer(`wrong-token-guess-${i}`))).status).toBe(401);
      const limited = await status(running.url, HEALTH, bearer('wrong-token-guess-x'));
      expect(limited.status).toBe(429);
      expect(Number(limited.retryAfter)).toBeGreaterThan(0);
      expect(Number(limited.retryAfter)).toBeLessThanOrEqual(60);
      // A right guess now must look like a wrong one.
      expect((await status(running.url, HEALTH, bearer(TOKEN))).status).toBe(429);
      // The same address is limited on the other protected surface too.
      expect((await status(running.url, '/admin/queues/api/queues', basic(TOKEN))).status).toBe(429);
    } finally {
      await running.close();
    }
  });

  it(`Bull Board: after ${MAX_FAILURES} wrong passwords the address gets 429`, async () => {
    const running = await app();
    try {
      // A browser's first visit without credentials is not a guess.
      for (let i = 0; i < 3; i++) expect((await status(running.url, '/admin/queues/api/queues', {})).status).toBe(401);
      for (let i = 0; i < MAX_FAILURES; i++) {
        expect((await status(running.url, '/admin/queues/api/queues', basic(`wrong-password-${i}`))).status).toBe(401);
      }
      const limited = await status(running.url, '/admin/queues/api/queues', basic('wrong-password-x'));
      expect(limited.status).toBe(429);
      expect(Number(limited.retryAfter)).toBeGreaterThan(0);
      expect((await status(running.url, HEALTH, bearer(TOKEN))).status).toBe(429);
    } finally {
      await running.close();
    }
  });

  it(`standalone metrics server: after ${MAX_FAILURES} wrong tokens the address gets 429`, async () => {
    const running = await app({ metrics: { standalone: { port: 0, host: '127.0.0.1', token: TOKEN } } });
    try {
      const url = new URL(running.app.get(StandaloneMetricsServer).url()!);
      const base = `${url.protocol}//${url.host}`;
      for (let i = 0; i < MAX_FAILURES; i++) expect((await status(base, '/metrics', bearer(`wrong-token-guess-${i}`))).status).toBe(401);
      expect((await status(base, '/metrics', bearer(TOKEN))).status).toBe(429);
    } finally {
      await running.close();
    }
  });

  it('successful requests are never limited', async () => {
    const running = await app();
    try {
      for (let i = 0; i < MAX_FAILURES * 3; i++) expect((await status(running.url, HEALTH, bearer(TOKEN))).status).toBe(200);
      for (let i = 0; i < MAX_FAILURES - 1; i++) expect((await status(running.url, HEALTH, bearer('wrong-token-guess'))).status).toBe(401);
      for (let i = 0; i < MAX_FAILURES * 3; i++) expect((await status(running.url, HEALTH, bearer(TOKEN))).status).toBe(200);
      expect((await status(running.url, '/admin/queues/api/queues', basic(TOKEN))).status).toBe(200);
    } finally {
      await running.close();
    }
  });

  it('the limit is configurable (api.authFailureLimit)', async () => {
    const running = await app({ api: { token: TOKEN, authFailureLimit: { maxFailures: 2, windowMs: 60_000 } } });
    try {
      expect((await status(running.url, HEALTH, bearer('wrong-token-guess-1'))).status).toBe(401);
      expect((await status(running.url, HEALTH, bearer('wrong-token-guess-2'))).status).toBe(401);
      expect((await status(running.url, HEALTH, bearer('wrong-token-guess-3'))).status).toBe(429);
    } finally {
      await running.close();
    }
  });
});
