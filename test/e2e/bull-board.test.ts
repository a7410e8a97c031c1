import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext } from 'playwright-core';
import { BrowserProfiles } from '../support/chromium';
import { Injectable, type CanActivate } from '@nestjs/common';
import { AdaptivePollingBullBoardModule } from 'nestjs-adaptive-polling/bull-board';
import type { AdaptivePollingModuleOptions } from 'nestjs-adaptive-polling';
import { buildDemo, startDemo, type DemoProcess } from '../support/demo-process';
import { startObservedApp, type ObservedApp } from '../support/observed-app';
import { PollRecorder, fastPolling } from '../support/scripted-app';
import { promtoolCheckMetrics, parsePrometheusText, sampleValue } from '../support/prometheus-text';
import { startPrivateRedis, type PrivateRedis } from '../support/private-redis';

/**
 * The built demo (`node dist/...`) on a private Redis: Bull Board at
 * /admin/queues opened in Debian's Chromium (driven by playwright-core; no
 * browser is downloaded) with the API token as the HTTP Basic password, and
 * refused without it; and its /metrics scrape passes promtool.
 */

const TOKEN = 'bull-board-e2e-token';
const QUEUE = 'adaptive-polling';

let redis: PrivateRedis;
let demo: DemoProcess;
const browsers = new BrowserProfiles();

/** A fresh Chromium profile each time; closed and removed in afterAll. */
function browser(httpCredentials?: { username: string; password: string }): Promise<BrowserContext> {
  return browsers.open(httpCredentials ? { httpCredentials } : {});
}

beforeAll(async () => {
  buildDemo();
  redis = await startPrivateRedis();
  demo = await startDemo({ PORT: '0', REDIS_URL: redis.url, ADAPTIVE_POLLING_API_TOKEN: TOKEN });
}, 180_000);

afterAll(async () => {
  await browsers.closeAll();
  await demo?.stop('SIGTERM');
  await redis?.stop();
});

describe('Bull Board in the demo', () => {
  it('shows the polling queue to a browser that signs in with the API token (any user name)', async () => {
    const context = await browser({ username: 'operator', password: TOKEN });
    const page = await context.newPage();
    const response = await page.goto(`${demo.url}/admin/queues`);
    expect(response?.status()).toBe(200);
    // The board is a single-page app: the queue's name appears once its API call (also authenticated) answers.
    await page.getByText(QUEUE, { exact: true }).first().waitFor({ timeout: 20_000 });
    expect(await page.content()).toContain(QUEUE);
  });

  it('sends no X-Powered-By header', async () => {
    for (const path of ['/health', '/admin/queues', '/api/monitoring/scheduler/health']) {
      const response = await fetch(`${demo.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
      await response.text();
      expect(response.headers.get('x-powered-by'), path).toBeNull();
    }
  });

  it('refuses a browser without the token with 401 and a Basic challenge', async () => {
    const context = await browser();
    const page = await context.newPage();
    const seen = page.waitForResponse((r) => r.url().endsWith('/admin/queues'));
    // With no credentials to answer the challenge, Chromium abandons the navigation.
    const navigation = await page.goto(`${demo.url}/admin/queues`).catch((error: Error) => error);
    const response = await seen;
    expect(response.status()).toBe(401);
    expect(await response.headerValue('www-authenticate')).toMatch(/^Basic realm="/);
    if (navigation instanceof Error) expect(navigation.message).toContain('ERR_INVALID_AUTH_CREDENTIALS');
    else expect(navigation?.status()).toBe(401);
    // The same from the browser context's own HTTP client, for the board's API: nothing leaks.
    const api = await context.request.get(`${demo.url}/admin/queues/api/queues`);
    expect(api.status()).toBe(401);
    expect(await api.text()).not.toContain(QUEUE);
  });

  it('refuses a wrong password, on the page and on the board API', async () => {
    const context = await browser({ username: 'operator', password: `${TOKEN}-wrong` });
    const page = await context.newPage();
    const response = await page.goto(`${demo.url}/admin/queues`);
    expect(response?.status()).toBe(401);
    const api = await fetch(`${demo.url}/admin/queues/api/queues`, {
      headers: { authorization: `Basic ${Buffer.from('operator:nope').toString('base64')}` },
    });
    expect(api.status).toBe(401);
    expect(await api.text()).not.toContain(QUEUE);
  });

  it('never prints the token', () => {
    expect(demo.output()).not.toContain(TOKEN);
  });
});

describe('the running demo', () => {
  it('serves /metrics that passes promtool check metrics, with its fleet in it', async () => {
    const response = await fetch(`${demo.url}/metrics`);
    expect(response.status).toBe(200);
    const text = await response.text();
    const result = promtoolCheckMetrics(text);
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
    const families = parsePrometheusText(text);
    expect(sampleValue(families, 'pulse_scheduler_targets', { instance_type: 'pve' })).toBeGreaterThan(0);
    expect(families.has('process_cpu_user_seconds_total')).toBe(true);
  });
});

@Injectable()
class AllowAllGuard implements CanActivate {
  canActivate(): boolean {
    return true;
  }
}

describe('AdaptivePollingBullBoardModule in a host app', () => {
  const basic = (password: string) => `Basic ${Buffer.from(`anyone:${password}`).toString('base64')}`;

  async function boardApp(
    options: Omit<AdaptivePollingModuleOptions, 'redis'>,
    board = AdaptivePollingBullBoardModule.forRoot(),
  ): Promise<ObservedApp> {
    return startObservedApp(new PollRecorder(), { polling: fastPolling(), targets: [], ...options, redis: redis.url }, [board]);
  }

  async function queues(app: ObservedApp, authorization?: string): Promise<{ status: number; body: string }> {
    const response = await fetch(`${app.url}/admin/queues/api/queues`, {
      headers: authorization ? { authorization } : {},
    });
    return { status: response.status, body: await response.text() };
  }

  it('uses the module api.token; HTTP Basic or Bearer; read-only by default', async () => {
    const app = await boardApp({ queueName: 'board-api-token', api: { token: 'module-token-0123456789' } });
    try {
      expect((await queues(app)).status).toBe(401);
      expect((await queues(app, basic('wrong'))).status).toBe(401);
      const ok = await queues(app, basic('module-token-0123456789'));
      expect(ok.status).toBe(200);
      const board = JSON.parse(ok.body) as { queues: Array<{ name: string; readOnlyMode: boolean }> };
      expect(board.queues.map((q) => [q.name, q.readOnlyMode])).toEqual([['board-api-token', true]]);
      expect((await queues(app, 'Bearer module-token-0123456789')).status).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('a board token of its own replaces the API token', async () => {
    const app = await boardApp(
      { queueName: 'board-own-token', api: { token: 'module-token-0123456789' } },
      AdaptivePollingBullBoardModule.forRoot({ token: 'board-only-token', route: '/ops/board' }),
    );
    try {
      const at = (authorization: string) => fetch(`${app.url}/ops/board/api/queues`, { headers: { authorization } }).then((r) => r.status);
      expect(await at(basic('board-only-token'))).toBe(200);
      expect(await at(basic('module-token-0123456789'))).toBe(401);
    } finally {
      await app.close();
    }
  });

  it('refuses to start when the API uses a host guard and the board has no token', async () => {
    await expect(boardApp({ queueName: 'board-guard', api: { guard: AllowAllGuard } })).rejects.toThrow(
      /Bull Board cannot start:[\s\S]*host guard/,
    );
  });
});
