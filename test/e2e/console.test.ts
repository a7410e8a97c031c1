import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { BrowserProfiles } from '../support/chromium';
import { Injectable, type CanActivate } from '@nestjs/common';
import { Redis } from 'ioredis';
import { loadFleetFile, startFleetServer, type RunningFleetServer } from '@app/fleet-sim';
import { AdaptivePollingConsoleModule } from 'nestjs-adaptive-polling/console';
import { startObservedApp } from '../support/observed-app';
import { PollRecorder, fastPolling } from '../support/scripted-app';
import { buildDemo, simulatorEnv, startDemo, type DemoProcess } from '../support/demo-process';
import { eventually } from '../support/events';
import { startPrivateRedis, type PrivateRedis } from '../support/private-redis';

/**
 * The operator's console of the built demo (`node dist/...`) on a private
 * Redis and the HTTP fleet simulator, opened in Debian's Chromium (driven by
 * playwright-core): sign-in, the fleet page and its live updates, an action
 * from a target page, and refusals without credentials or CSRF token.
 * With CONSOLE_SCREENSHOTS=1 it also writes docs/console-fleet.png and
 * docs/console-target.png.
 */

const TOKEN = 'console-e2e-token';
const QUEUE = 'console-e2e';
const CONSOLE = '/admin/polling';
const LOCKED = 'pve::pve-locked';
const DOWN = 'pbs::pbs-down';
const QUIET = 'pmg::pmg-quiet';

let redis: PrivateRedis;
let sim: RunningFleetServer;
let demo: DemoProcess;
let base: string;
const workDir = mkdtempSync(join(tmpdir(), 'ap-console-'));
const browsers = new BrowserProfiles();

/** A fresh Chromium profile each time; closed and removed in afterAll. */
function browser(httpCredentials?: { username: string; password: string }): Promise<BrowserContext> {
  return browsers.open({ viewport: { width: 1400, height: 800 }, ...(httpCredentials ? { httpCredentials } : {}) });
}

const basic = (password: string) => `Basic ${Buffer.from(`operator:${password}`).toString('base64')}`;

interface Row {
  key: string;
  state: string;
  nextRun: string | null;
}

async function fleetRows(): Promise<Row[]> {
  const response = await fetch(`${base}/api/fleet`, { headers: { authorization: basic(TOKEN) } });
  expect(response.status).toBe(200);
  return ((await response.json()) as { rows: Row[] }).rows;
}

async function rowOf(key: string): Promise<Row> {
  return (await fleetRows()).find((r) => r.key === key)!;
}

/** Signs in through the form; the page ends on the fleet, its table rendered. */
async function signIn(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${base}/`);
  expect(new URL(page.url()).pathname).toBe(`${CONSOLE}/login`);
  await page.fill('#token', TOKEN);
  await Promise.all([page.waitForURL(`${base}/`), page.click('button[type=submit]')]);
  await page.waitForSelector('body[data-loaded="true"]');
  return page;
}

/** A session cookie and its CSRF token, signed in with plain HTTP (no browser). */
async function httpSession(): Promise<{ cookie: string; csrf: string }> {
  const login = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: TOKEN }),
  });
  expect(login.status).toBe(303);
  const cookie = login.headers.get('set-cookie')!.split(';')[0];
  const page = await (await fetch(`${base}/`, { headers: { cookie } })).text();
  const csrf = /data-csrf="([^"]+)"/.exec(page)![1];
  return { cookie, csrf };
}

beforeAll(async () => {
  buildDemo();
  redis = await startPrivateRedis();
  const fleet = join(workDir, 'fleet.json');
  writeFileSync(
    fleet,
    JSON.stringify({
      targets: [
        { name: 'pve-locked', type: 'pve', unauthorized: true },
        { name: 'pbs-down', type: 'pbs', down: true },
        { name: 'pmg-quiet', type: 'pmg', changeEverySeconds: 30 },
        { name: 'pve-busy', type: 'pve', changeEverySeconds: 2 },
      ],
    }),
  );
  sim = await startFleetServer({ fleet: loadFleetFile(fleet), port: 0 });
  demo = await startDemo({
    PORT: '0',
    REDIS_URL: redis.url,
    ADAPTIVE_POLLING_API_TOKEN: TOKEN,
    DEMO_FLEET: fleet,
    ...simulatorEnv(sim.url, sim.tls),
    DEMO_QUEUE_NAME: QUEUE,
    DEMO_SQLITE_PATH: join(workDir, 'db.sqlite'),
  });
  base = `${demo.url}${CONSOLE}`;
  // The 401 parks its target at once; the down one opens its breaker after its first failures.
  await eventually(
    async () => {
      const rows = await fleetRows();
      const state = (key: string) => rows.find((r) => r.key === key)?.state;
      return state(LOCKED) === 'dead_lettered' && state(DOWN) === 'breaker_open';
    },
    'one target is dead-lettered and one has its breaker open',
    60_000,
    250,
  );
}, 180_000);

afterAll(async () => {
  await browsers.closeAll();
  await demo?.stop('SIGTERM');
  await sim?.close();
  await redis?.stop();
  rmSync(workDir, { recursive: true, force: true });
});

describe('the operator console in the demo', () => {
  it('logs its URL at start', () => {
    expect(demo.output()).toContain(`console: ${demo.url.replace('127.0.0.1', 'localhost')}${CONSOLE}/`);
  });

  it('signs in with the form: an HttpOnly, SameSite=Strict session cookie without the token; the fleet with its states', async () => {
    const context = await browser();
    const page = await signIn(context);
    const cookies = await context.cookies(base);
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatchObject({ name: 'ap_console', httpOnly: true, sameSite: 'Strict', path: CONSOLE });
    expect(cookies[0].value).not.toContain(TOKEN);
    expect(cookies[0].value).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const keys = await page.$$eval('#fleet tbody tr', (rows) => rows.map((r) => r.getAttribute('data-key')));
    expect(keys.sort()).toEqual([DOWN, QUIET, LOCKED, 'pve::pve-busy'].sort());
    const badge = (key: string) => page.textContent(`tr[data-key="${key}"] .state`);
    expect(await badge(LOCKED)).toBe('dead-lettered');
    expect(await badge(DOWN)).toBe('breaker open');
    expect(await badge('pve::pve-busy')).toBe('polling');
    // The 401's error, shown redacted (the demo's poller token never appears).
    expect(await page.textContent(`tr[data-key="${LOCKED}"] td.error`)).not.toBe('');
    expect(await page.content()).not.toContain('demo-api-token-secret');
    expect(await page.textContent('#summary')).toContain('4 targets');
    expect(await page.textContent('[data-count="dead_lettered"]')).toBe('1 dead-lettered');

    // Filters run on the server: by state, then a search by name.
    await page.selectOption('#state', 'dead_lettered');
    await expect.poll(() => page.locator('#fleet tbody tr').count(), { timeout: 5_000 }).toBe(1);
    expect(await page.getAttribute('#fleet tbody tr', 'data-key')).toBe(LOCKED);
    await page.selectOption('#state', '');
    await page.fill('#search', 'busy');
    await expect.poll(() => page.locator('#fleet tbody tr').count(), { timeout: 5_000 }).toBe(1);
    expect(await page.getAttribute('#fleet tbody tr', 'data-key')).toBe('pve::pve-busy');
  });

  it('signs in with HTTP Basic (any user name, the token as the password); a wrong password is refused', async () => {
    const context = await browser({ username: 'someone', password: TOKEN });
    const page = await context.newPage();
    await page.goto(`${base}/basic`);
    expect(page.url()).toBe(`${base}/`);
    await page.waitForSelector('body[data-loaded="true"]');
    expect(await page.$$eval('#fleet tbody tr', (rows) => rows.length)).toBe(4);

    const wrong = await browser({ username: 'someone', password: `${TOKEN}-wrong` });
    const response = await (await wrong.newPage()).goto(`${base}/basic`);
    expect(response?.status()).toBe(401);
    for (const path of ['/', '/api/fleet', '/events']) {
      expect((await fetch(`${base}${path}`, { headers: { authorization: basic('nope') }, redirect: 'manual' })).status).toBe(401);
    }
  });

  it("shows a target's state change within 5 s, without a reload", async () => {
    const page = await signIn(await browser());
    await page.evaluate("window.marker = 'same document'");
    const row = `tr[data-key="${QUIET}"]`;
    expect(await page.getAttribute(row, 'data-state')).toBe('polling');
    const pause = await fetch(`${demo.url}/api/monitoring/instances/${encodeURIComponent(QUIET)}/pause`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(pause.status).toBe(200);
    const startedAt = Date.now();
    await page.waitForSelector(`${row}[data-state="paused"]`, { timeout: 5_000 });
    expect(Date.now() - startedAt).toBeLessThan(5_000);
    expect(await page.evaluate('window.marker')).toBe('same document');
    expect(await page.textContent('[data-count="paused"]')).toBe('1 paused');

    await fetch(`${demo.url}/api/monitoring/instances/${encodeURIComponent(QUIET)}/resume`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    await page.waitForSelector(`${row}[data-state="polling"]`, { timeout: 5_000 });
  });

  it('"retry" on a dead-lettered target, once confirmed, polls it exactly once, and the audit trail records it', async () => {
    const page = await signIn(await browser());
    await page.goto(`${base}/target?key=${encodeURIComponent(LOCKED)}`);
    await page.waitForSelector('body[data-loaded="true"]');
    expect(await page.textContent('#facts .state')).toBe('dead-lettered');
    const before = sim.stats().targets['pve-locked'].requests;
    expect(before).toBe(1);

    // Dismissed: nothing is sent.
    const posts: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST') posts.push(r.url());
    });
    page.once('dialog', (dialog) => void dialog.dismiss());
    await page.click('button[data-action="retry"]');
    expect(posts).toEqual([]);

    const dialogs: string[] = [];
    page.once('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.accept();
    });
    await page.click('button[data-action="retry"]');
    await page.waitForSelector('#action-result.ok', { timeout: 10_000 });
    expect(dialogs).toEqual([`Retry ${LOCKED}?`]);
    expect(posts).toEqual([`${base}/api/action`]);

    // The one retry poll fails with 401 again and parks the target 30 minutes out: no second poll can follow.
    await eventually(() => Promise.resolve(sim.stats().targets['pve-locked'].requests === before + 1), 'the retry polled', 10_000);
    const parked = await eventually(
      async () => {
        const row = await rowOf(LOCKED);
        return row.state === 'dead_lettered' && Date.parse(row.nextRun!) - Date.now() > 29 * 60_000 ? row : null;
      },
      'the target is parked again',
      10_000,
      100,
    );
    expect(parked.state).toBe('dead_lettered');
    expect(sim.stats().targets['pve-locked'].requests).toBe(before + 1);

    await page.reload();
    await page.waitForSelector('#audit tbody tr[data-action="dlq.retry"]');
    const audited = await page.textContent('#audit tbody tr[data-action="dlq.retry"]');
    expect(audited).toContain('operator:console');
    expect(await page.$$eval('#audit tbody tr', (rows) => rows.map((r) => r.getAttribute('data-action')))).toContain('dead_letter.in');
  });

  it('without credentials every page, stream and JSON call answers 401 or redirects to the sign-in form', async () => {
    const at = (path: string, init: RequestInit = {}) => fetch(`${base}${path}`, { redirect: 'manual', ...init });
    for (const path of ['/', `/target?key=${encodeURIComponent(LOCKED)}`]) {
      const response = await at(path);
      expect(response.status, path).toBe(303);
      expect(response.headers.get('location'), path).toBe(`${CONSOLE}/login`);
    }
    for (const path of ['/api/fleet', `/api/target?key=${encodeURIComponent(LOCKED)}`, '/events?key=x']) {
      const response = await at(path);
      expect(response.status, path).toBe(401);
      expect(await response.text(), path).not.toContain('pve-locked');
    }
    const post = await at('/api/action', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'pause', key: QUIET }),
    });
    expect(post.status).toBe(401);
    // A made-up session cookie is no session.
    const forged = await at('/api/fleet', { headers: { cookie: `ap_console=${'A'.repeat(43)}` } });
    expect(forged.status).toBe(401);
    // In a browser: the page lands on the form.
    const page = await (await browser()).newPage();
    await page.goto(`${base}/target?key=${encodeURIComponent(LOCKED)}`);
    expect(page.url()).toBe(`${base}/login`);
    expect((await rowOf(QUIET)).state).toBe('polling');
  });

  it('refuses a POST without the CSRF token, or from another site, with 403', async () => {
    const { cookie, csrf } = await httpSession();
    const action = (headers: Record<string, string>) =>
      fetch(`${base}/api/action`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', cookie, ...headers },
        body: JSON.stringify({ action: 'pause', key: QUIET }),
      });
    expect((await action({})).status).toBe(403);
    expect((await action({ 'x-csrf-token': 'not-the-token' })).status).toBe(403);
    expect((await action({ 'x-csrf-token': csrf, origin: 'http://evil.example' })).status).toBe(403);
    // A form posted from another site (the field instead of the header) is refused the same way.
    const form = await fetch(`${base}/api/action`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, origin: 'http://evil.example' },
      body: new URLSearchParams({ action: 'pause', key: QUIET, csrf }),
    });
    expect(form.status).toBe(403);
    expect((await rowOf(QUIET)).state).toBe('polling');

    // The same request with the token, from the console's own origin, goes through.
    const ok = await action({ 'x-csrf-token': csrf, origin: demo.url });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ action: 'target.pause', instance: QUIET, actor: 'operator:console', applied: true });
    const resume = await fetch(`${base}/api/action`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, 'x-csrf-token': csrf },
      body: JSON.stringify({ action: 'resume', key: QUIET }),
    });
    expect(resume.status).toBe(200);
  });

  it("keeps each target's last polls in a capped Redis list under the queue's prefix", async () => {
    const client = new Redis(redis.url);
    try {
      const key = `bull:${QUEUE}:ap:console:history:pve::pve-busy`;
      const entries = (await client.lrange(key, 0, -1)).map(
        (text) => JSON.parse(text) as { at: number; interval: number; outcome: string },
      );
      expect(entries.length).toBeGreaterThan(0);
      expect(entries.length).toBeLessThanOrEqual(500);
      for (const entry of entries) {
        expect(entry.interval).toBeGreaterThan(0);
        expect(['changed', 'unchanged', 'failed']).toContain(entry.outcome);
      }
      expect(entries.map((e) => e.at)).toEqual([...entries.map((e) => e.at)].sort((a, b) => a - b));
      expect(await client.pttl(key)).toBeGreaterThan(0);
      const locked = (await client.lrange(`bull:${QUEUE}:ap:console:history:${LOCKED}`, 0, -1)).map(
        (t) => JSON.parse(t) as { outcome: string },
      );
      expect(locked.map((e) => e.outcome)).toEqual(['failed', 'failed']);
    } finally {
      client.disconnect();
    }
  });

  it.runIf(process.env.CONSOLE_SCREENSHOTS === '1')('writes the screenshots of the README', async () => {
    const page = await signIn(await browser());
    await page.screenshot({ path: 'docs/console-fleet.png' });
    await page.goto(`${base}/target?key=${encodeURIComponent(DOWN)}`);
    await page.waitForSelector('body[data-loaded="true"]');
    await page.waitForSelector('#chart circle');
    await page.screenshot({ path: 'docs/console-target.png', fullPage: true });
  });
});

@Injectable()
class AllowAllGuard implements CanActivate {
  canActivate(): boolean {
    return true;
  }
}

describe('AdaptivePollingConsoleModule in a host app', () => {
  it('refuses to start when the API authenticates with a host guard (no token to sign in with)', async () => {
    await expect(
      startObservedApp(
        new PollRecorder(),
        { polling: fastPolling(), targets: [], queueName: 'console-guard', redis: redis.url, api: { guard: AllowAllGuard } },
        [AdaptivePollingConsoleModule.forRoot()],
      ),
    ).rejects.toThrow(/host guard/);
  });

  it('wrong tokens on the sign-in form or by Basic count against the API failure limit: then 429, also with the right token', async () => {
    const app = await startObservedApp(
      new PollRecorder(),
      {
        polling: fastPolling(),
        queueName: 'console-limit',
        redis: redis.url,
        api: { token: 'limit-console-token', authFailureLimit: { maxFailures: 3, windowMs: 60_000 } },
        targets: [],
      },
      [AdaptivePollingConsoleModule.forRoot()],
    );
    try {
      const form = (token: string) =>
        fetch(`${app.url}/admin/polling/login`, {
          method: 'POST',
          redirect: 'manual',
          headers: { 'content-type': 'application/x-www-form-urlencoded', origin: app.url },
          body: new URLSearchParams({ token }),
        });
      const fleet = (token: string) => fetch(`${app.url}/admin/polling/api/fleet`, { headers: { authorization: basic(token) } });
      expect((await form('wrong-console-token-1')).status).toBe(401);
      expect((await fleet('wrong-console-token-2')).status).toBe(401);
      expect((await form('wrong-console-token-3')).status).toBe(401);
      const refused = await form('limit-console-token');
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await fleet('limit-console-token')).status).toBe(429);
      // The same count as the API's routes.
      expect(
        (await fetch(`${app.url}/api/monitoring/scheduler/health`, { headers: { authorization: 'Bearer limit-console-token' } })).status,
      ).toBe(429);
    } finally {
      await app.close();
    }
  });

  it('serves its path with the module api.token, and nothing at other paths', async () => {
    const app = await startObservedApp(
      new PollRecorder(),
      {
        polling: fastPolling(),
        queueName: 'console-host',
        redis: redis.url,
        api: { token: 'host-console-token' },
        targets: [{ type: 'scripted', name: 'one' }],
      },
      [AdaptivePollingConsoleModule.forRoot({ path: '/ops/console/' })],
    );
    try {
      const fleet = await fetch(`${app.url}/ops/console/api/fleet`, { headers: { authorization: basic('host-console-token') } });
      expect(fleet.status).toBe(200);
      expect(await fleet.json()).toMatchObject({ summary: { total: 1 }, rows: [{ key: 'scripted::one' }] });
      expect((await fetch(`${app.url}/ops/console/api/fleet`, { headers: { authorization: basic(TOKEN) } })).status).toBe(401);
      expect((await fetch(`${app.url}/admin/polling/api/fleet`, { headers: { authorization: basic('host-console-token') } })).status).toBe(
        404,
      );
    } finally {
      await app.close();
    }
  });
});
