import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Controller, Get, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { RedisMemoryServer } from 'redis-memory-server';
import { ADAPTIVE_POLLING_BEARER_AUTH, documentAdaptivePollingApi } from 'nestjs-adaptive-polling/swagger';
import { AdaptivePollingHealthIndicator } from 'nestjs-adaptive-polling/terminus';
import {
  PollingOptionsError,
  PermanentPollError,
  TransientPollError,
  type AdaptivePollingModuleOptions,
  type EngineEventMap,
} from 'nestjs-adaptive-polling';
import type { SchedulerHealth } from '../../libs/adaptive-polling/src/nest/api/scheduler-health.types';
import { AuditTrailService } from '../../libs/adaptive-polling/src/nest/audit/audit-trail.service';
import type { AuditRecord } from '../../libs/adaptive-polling/src/nest/audit/audit-record';
import { startPrivateRedis, type PrivateRedis } from '../support/private-redis';
import { eventually, waitForEvent } from '../support/events';
import { keyPath, listenForTests, type HttpClient } from '../support/http-client';
import { PollRecorder, fastPolling, startScriptedApp, type ScriptedApp, type ScriptedHost } from '../support/scripted-app';

type Skipped = EngineEventMap['poll:skipped'][0];

const TOKEN = 'e2e-api-token-7f3a9c1d5b';
const WRONG_TOKEN = 'e2e-api-token-7f3a9c1d5c';

let redis: PrivateRedis;
const apps: ScriptedApp[] = [];
let queueSeq = 0;

beforeAll(async () => {
  redis = await startPrivateRedis();
});
afterAll(async () => {
  await redis.stop();
});
afterEach(async () => {
  while (apps.length) await apps.pop()!.close();
});

interface ApiApp extends ScriptedApp {
  http: HttpClient;
  audit: AuditTrailService;
}

async function startApi(
  recorder: PollRecorder,
  options: Partial<AdaptivePollingModuleOptions> = {},
  host: ScriptedHost = {},
): Promise<ApiApp> {
  queueSeq += 1;
  const started = await startScriptedApp(
    recorder,
    { redis: redis.url, queueName: `api-test-${queueSeq}`, polling: fastPolling(), api: { token: TOKEN }, ...options },
    host,
  );
  apps.push(started);
  const http = await listenForTests(started.app);
  return { ...started, http, audit: started.app.get(AuditTrailService) };
}

function scripted(name: string, extra: Record<string, unknown> = {}) {
  return { name, type: 'scripted', ...extra };
}

function failPermanently(): never {
  throw new PermanentPollError('HTTP 401 from https://root:hunter2@pve.example/api2/json', { statusCode: 401 });
}

/** Makes `names` fail permanently until `healed` has their name; returns the set to heal them. */
function failUntilHealed(recorder: PollRecorder, names: string[]): Set<string> {
  const healed = new Set<string>();
  for (const name of names) {
    recorder.behaviours.set(name, (_ctx, n) => (healed.has(name) ? { ok: n } : failPermanently()));
  }
  return healed;
}

async function parked(app: ScriptedApp, key: string): Promise<void> {
  await eventually(async () => (await app.engine.snapshot(key))?.state?.deadLetter, `${key} is dead-lettered`);
}

function auditOf(app: ApiApp, action: AuditRecord['action'], target: string | null): AuditRecord | undefined {
  return app.audit.recent(500).find((r) => r.action === action && r.target === target);
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('authentication on every route', () => {
  it('answers 401 without a token or with a wrong one, and 200 with it', async () => {
    const recorder = new PollRecorder();
    failUntilHealed(recorder, ['parked-a', 'parked-b']);
    // Every route is tried with two wrong credentials: more than the default failure limit allows.
    const app = await startApi(recorder, {
      targets: [scripted('ok'), scripted('parked-a'), scripted('parked-b')],
      api: { token: TOKEN, authFailureLimit: { maxFailures: 100 } },
    });
    await parked(app, 'scripted::parked-a');
    await parked(app, 'scripted::parked-b');

    const routes: Array<[string, string]> = [
      ['GET', '/api/monitoring/scheduler/health'],
      ['POST', `/api/monitoring/breakers/${keyPath('scripted::ok')}/reset`],
      ['POST', `/api/monitoring/dlq/${keyPath('scripted::parked-a')}/retry`],
      ['DELETE', `/api/monitoring/dlq/${keyPath('scripted::parked-b')}`],
      ['POST', '/api/monitoring/dlq/retry'],
      ['POST', `/api/monitoring/instances/${keyPath('scripted::ok')}/pause`],
      ['POST', `/api/monitoring/instances/${keyPath('scripted::ok')}/resume`],
    ];
    const auditBefore = app.audit.recent(500).filter((r) => r.actor !== 'system').length;
    for (const [method, path] of routes) {
      const missing = await app.http.request(method, path);
      expect(missing.status, `${method} ${path} without a token`).toBe(401);
      expect(missing.json).toMatchObject({ statusCode: 401, message: expect.stringContaining('missing bearer token') });
      expect(missing.headers.get('www-authenticate')).toContain('Bearer');

      const wrong = await app.http.request(method, path, { token: WRONG_TOKEN });
      expect(wrong.status, `${method} ${path} with a wrong token`).toBe(401);
      expect(wrong.json).toMatchObject({ statusCode: 401, message: 'invalid bearer token' });
      expect(wrong.text).not.toContain(TOKEN);

      const basic = await app.http.request(method, path, { headers: { authorization: `Basic ${TOKEN}` } });
      expect(basic.status, `${method} ${path} with Basic auth`).toBe(401);
      expect(basic.text).not.toContain(TOKEN);
    }
    // Refused requests changed nothing.
    expect(app.audit.recent(500).filter((r) => r.actor !== 'system')).toHaveLength(auditBefore);

    for (const [method, path] of routes) {
      const ok = await app.http.request(method, path, { token: TOKEN });
      expect(ok.status, `${method} ${path} with the token: ${ok.text}`).toBe(200);
      expect(ok.text).not.toContain(TOKEN);
    }
  });

  it('refuses to start with no token, no guard and no explicit auth: false', async () => {
    const recorder = new PollRecorder();
    const attempt = startScriptedApp(recorder, { redis: redis.url, queueName: 'api-refused', api: {}, env: false });
    // Listed with every other configuration problem, in one error.
    await expect(attempt).rejects.toBeInstanceOf(PollingOptionsError);
    await expect(attempt).rejects.toThrow(/Invalid adaptive polling configuration[\s\S]*- api: /);
    await expect(startScriptedApp(recorder, { redis: redis.url, queueName: 'api-refused', api: undefined, env: {} })).rejects.toThrow(
      /api\.token.*ADAPTIVE_POLLING_API_TOKEN.*api\.guard.*auth: false/s,
    );
  });

  it('takes the token from ADAPTIVE_POLLING_API_TOKEN in the module env', async () => {
    const recorder = new PollRecorder();
    const app = await startApi(recorder, { api: undefined, env: { ADAPTIVE_POLLING_API_TOKEN: 'token-from-env-0123456789' } });
    expect((await app.http.request('GET', '/api/monitoring/scheduler/health', { token: 'token-from-env-0123456789' })).status).toBe(200);
    expect((await app.http.request('GET', '/api/monitoring/scheduler/health', { token: TOKEN })).status).toBe(401);
  });

  it('uses a host guard instead of the token, with the audit actor from request.user', async () => {
    @Injectable()
    class HeaderUserGuard implements CanActivate {
      canActivate(context: ExecutionContext): boolean {
        const request = context.switchToHttp().getRequest<{ headers: Record<string, string>; user?: unknown }>();
        const name = request.headers['x-test-user'];
        if (!name) return false;
        request.user = { username: name };
        return true;
      }
    }
    const recorder = new PollRecorder();
    const app = await startApi(recorder, { api: { guard: HeaderUserGuard }, targets: [scripted('g')] }, { providers: [HeaderUserGuard] });
    const path = `/api/monitoring/breakers/${keyPath('scripted::g')}/reset`;
    expect((await app.http.request('POST', path)).status).toBe(403);
    expect((await app.http.request('POST', path, { token: TOKEN })).status).toBe(403);
    const ok = await app.http.request('POST', path, { headers: { 'x-test-user': 'alice' } });
    expect(ok.status).toBe(200);
    expect(ok.json.actor).toBe('operator:alice');
    expect(auditOf(app, 'breaker.reset', 'scripted::g')?.actor).toBe('operator:alice');
  });
});

describe('GET /api/monitoring/scheduler/health', () => {
  it('has the SPEC 5 shape: ISO times or null, sorted arrays, no secrets', async () => {
    const recorder = new PollRecorder();
    failUntilHealed(recorder, ['mike']);
    const connection = {
      baseUrl: 'https://admin:hunter2-url-password@zulu.example:8006',
      host: 'zulu.example',
      token: 'PVEAPIToken=root@pam!ci=zulu-token-value',
      password: 'zulu-password-value',
      apiKey: 'zulu-api-key-value',
    };
    const app = await startApi(recorder, {
      targets: [scripted('zulu', { displayName: 'Zulu node', connection }), scripted('alpha', { paused: true }), scripted('mike')],
    });
    await parked(app, 'scripted::mike');
    await eventually(
      async () => recorder.count('scripted::zulu') >= 1 && (await app.engine.snapshot('scripted::zulu'))?.state?.lastSuccessAtMs,
      'zulu polled',
    );

    const res = await app.http.request('GET', '/api/monitoring/scheduler/health', { token: TOKEN });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-type')).toContain('application/json');
    const health = res.json as SchedulerHealth;

    const specKeys = ['updatedAt', 'enabled', 'queue', 'deadLetter', 'breakers', 'staleness', 'instances'];
    expect(Object.keys(health).slice(0, specKeys.length)).toEqual(specKeys);
    // Then the page of instances this document carries, then sections of optional providers (replica heartbeats, persistence).
    expect(Object.keys(health)[specKeys.length]).toBe('page');
    expect(
      Object.keys(health)
        .slice(specKeys.length + 1)
        .every((k) => k === 'replicas' || k === 'persistence'),
    ).toBe(true);
    expect(health.page).toEqual({ offset: 0, limit: 500, total: 3 });
    if (health.replicas) {
      const ids = health.replicas.map((r) => r.id);
      expect(ids).toEqual([...ids].sort());
      for (const r of health.replicas) {
        expect(r.lastHeartbeat === null || ISO.test(r.lastHeartbeat)).toBe(true);
        expect(r.startedAt === null || ISO.test(r.startedAt)).toBe(true);
      }
    }
    expect(health.updatedAt).toMatch(ISO);
    expect(health.enabled).toBe(true);
    const keys = ['scripted::alpha', 'scripted::mike', 'scripted::zulu'];
    expect(health.instances.map((i) => i.key)).toEqual(keys);
    // Stalest first (never succeeded, then the oldest success), every target of a fleet this small.
    expect(health.staleness.map((s) => s.key).sort()).toEqual(keys);
    const scores = health.staleness.map((s) => s.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));

    // the queue holds only zulu: alpha is paused, mike is parked
    expect(health.queue.depth).toBe(1);
    expect(health.queue.perType).toEqual({ scripted: 1 });
    expect(health.queue.dueWithinSeconds).toBeGreaterThanOrEqual(0);
    expect(health.deadLetter.count).toBe(1);
    expect(health.deadLetter.tasks).toEqual([
      {
        instance: 'mike',
        type: 'scripted',
        key: 'scripted::mike',
        nextRun: expect.stringMatching(ISO),
        lastError: expect.stringContaining('HTTP 401'),
        failures: 1,
        reason: 'permanent_failure',
      },
    ]);
    expect(health.breakers).toEqual([
      { instance: 'mike', type: 'scripted', key: 'scripted::mike', state: 'closed', failures: 1, retryAt: null },
    ]);

    const [alpha, mike, zulu] = health.instances;
    // never polled: every time is null, sub-objects are complete
    expect(alpha).toMatchObject({
      instance: 'alpha',
      paused: true,
      nextRun: null,
      currentIntervalMs: null,
      pollStatus: { lastPoll: null, lastSuccess: null, lastChange: null, lastError: null, consecutiveFailures: 0 },
      breaker: { state: 'closed', openedAt: null, retryAt: null },
      deadLetter: { present: false, reason: null, enteredAt: null, retryAt: null, lastError: null },
      warnings: ['paused: not polled until resumed'],
    });
    expect(mike.deadLetter).toMatchObject({ present: true, reason: 'permanent_failure', enteredAt: expect.stringMatching(ISO) });
    expect(mike.pollStatus.lastError).toMatchObject({ kind: 'permanent', category: 'auth', at: expect.stringMatching(ISO) });
    expect(mike.warnings.some((w) => w.startsWith('dead-lettered (permanent_failure)'))).toBe(true);
    expect(zulu).toMatchObject({
      displayName: 'Zulu node',
      connection: { baseUrl: 'https://***@zulu.example:8006', host: 'zulu.example' },
      pollStatus: { lastSuccess: expect.stringMatching(ISO), lastError: null },
      nextRun: expect.stringMatching(ISO),
      currentIntervalMs: expect.any(Number),
      scheduled: true,
    });
    expect(Object.keys(zulu.connection).sort()).toEqual(['baseUrl', 'host']);

    for (const secret of ['hunter2', 'zulu-token-value', 'PVEAPIToken', 'zulu-password-value', 'zulu-api-key-value', TOKEN]) {
      expect(res.text).not.toContain(secret);
    }
    expect(res.text).not.toContain('1970-01-01');
  });

  it('reuses the document within api.healthCacheMs, refreshes it after, and an action invalidates it', async () => {
    const recorder = new PollRecorder();
    const app = await startApi(recorder, { targets: [scripted('c')], api: { token: TOKEN, healthCacheMs: 60_000 } });
    const get = async () => (await app.http.request('GET', '/api/monitoring/scheduler/health', { token: TOKEN })).json as SchedulerHealth;
    const first = await get();
    await eventually(async () => recorder.count('scripted::c') >= 2, 'polled twice');
    // Within the cache period: the same document, although the target has polled since.
    expect(await get()).toEqual(first);
    await app.http.request('POST', `/api/monitoring/instances/${keyPath('scripted::c')}/pause`, { token: TOKEN });
    const afterAction = await get();
    expect(afterAction.updatedAt).not.toBe(first.updatedAt);
    expect(afterAction.instances[0].paused).toBe(true);

    const short = await startApi(new PollRecorder(), { targets: [scripted('s')], api: { token: TOKEN, healthCacheMs: 100 } });
    const shortGet = async () =>
      (await short.http.request('GET', '/api/monitoring/scheduler/health', { token: TOKEN })).json as SchedulerHealth;
    const initial = await shortGet();
    await eventually(async () => (await shortGet()).updatedAt !== initial.updatedAt, 'a refreshed document');
  });

  it('pages instances[] by offset and limit over the key-sorted list; every other section covers the whole fleet', async () => {
    const names = ['echo', 'alpha', 'delta', 'bravo', 'charlie'];
    const app = await startApi(new PollRecorder(), { targets: names.map((n) => scripted(n)) });
    const get = async (query: string) => {
      const res = await app.http.request('GET', `/api/monitoring/scheduler/health${query}`, { token: TOKEN });
      expect(res.status, query).toBe(200);
      return res.json as SchedulerHealth;
    };
    const sorted = ['alpha', 'bravo', 'charlie', 'delta', 'echo'].map((n) => `scripted::${n}`);

    const whole = await get('');
    expect(whole.page).toEqual({ offset: 0, limit: 500, total: 5 });
    expect(whole.instances.map((i) => i.key)).toEqual(sorted);

    const middle = await get('?offset=1&limit=2');
    expect(middle.page).toEqual({ offset: 1, limit: 2, total: 5 });
    expect(middle.instances.map((i) => i.key)).toEqual(sorted.slice(1, 3));
    expect(middle.staleness.map((s) => s.key).sort()).toEqual(sorted);
    expect(middle.queue.depth).toBe(whole.queue.depth);

    const last = await get('?offset=4&limit=100000');
    expect(last.instances.map((i) => i.key)).toEqual(sorted.slice(4));
    expect((await get('?offset=5')).instances).toEqual([]);
    const none = await get('?limit=0');
    expect(none.instances).toEqual([]);
    expect(none.page).toEqual({ offset: 0, limit: 0, total: 5 });
  });

  it('answers 400 naming each bad offset or limit', async () => {
    const app = await startApi(new PollRecorder(), { targets: [scripted('one')] });
    const bad = async (query: string) => {
      const res = await app.http.request('GET', `/api/monitoring/scheduler/health${query}`, { token: TOKEN });
      expect(res.status, query).toBe(400);
      expect(res.json).toMatchObject({ statusCode: 400, error: 'Bad Request' });
      return (res.json as { message: string }).message;
    };
    expect(await bad('?limit=100001')).toBe('limit "100001" is invalid: must be a whole number from 0 to 100000');
    expect(await bad('?offset=-1&limit=all')).toBe(
      'offset "-1" is invalid: must be a whole number >= 0; limit "all" is invalid: must be a whole number from 0 to 100000',
    );
    expect(await bad('?offset=2.5')).toContain('offset "2.5" is invalid');
    expect(await bad('?limit=1&limit=2')).toBe('limit is given more than once: give it once');
  });

  it('gives an empty fleet empty collections', async () => {
    const app = await startApi(new PollRecorder(), { targets: [] });
    const { json } = await app.http.request('GET', '/api/monitoring/scheduler/health', { token: TOKEN });
    expect(json).toMatchObject({
      queue: { depth: 0, dueWithinSeconds: 0, perType: {} },
      deadLetter: { count: 0, tasks: [] },
      breakers: [],
      staleness: [],
      instances: [],
      page: { offset: 0, limit: 500, total: 0 },
    });
  });
});

describe('management actions change state and are audited', () => {
  it('resets an open breaker: the target polls again and the breaker closes', async () => {
    const recorder = new PollRecorder();
    recorder.behaviours.set('fragile', (_ctx, n) => {
      if (n === 1) throw new TransientPollError('HTTP 502', { statusCode: 502 });
      return { ok: n };
    });
    // The breaker opens after one failure and would stay open for 30 minutes on its own.
    const polling = fastPolling({ breaker: { failureThreshold: 1 }, backoff: { initial: '30m', max: '30m' } });
    const app = await startApi(recorder, { polling, targets: [scripted('fragile')] });
    const key = 'scripted::fragile';
    await eventually(async () => (await app.engine.snapshot(key))?.state?.breaker.state === 'open', 'breaker open');

    const res = await app.http.request('POST', `/api/monitoring/breakers/${keyPath(key)}/reset`, { token: TOKEN });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      action: 'breaker.reset',
      instance: key,
      actor: 'operator:token',
      at: expect.stringMatching(ISO),
      before: { breaker: { state: 'open', failures: 1 } },
      after: { breaker: { state: 'closed', failures: 0 } },
    });
    await eventually(
      async () => recorder.count(key) >= 2 && (await app.engine.snapshot(key))?.state?.breaker.state === 'closed',
      'polled again with the breaker closed',
    );
    const record = auditOf(app, 'breaker.reset', key)!;
    expect(record).toMatchObject({
      actor: 'operator:token',
      before: { breaker: { state: 'open' } },
      after: { breaker: { state: 'closed' } },
      detail: { via: 'api', operatorAction: 'reset_breaker' },
    });
    expect(Math.abs(record.atMs - Date.now())).toBeLessThan(60_000);
  });

  it('retries one dead-letter entry: it is polled at once and leaves the DLQ', async () => {
    const recorder = new PollRecorder();
    const healed = failUntilHealed(recorder, ['parked']);
    const app = await startApi(recorder, { targets: [scripted('parked')] });
    const key = 'scripted::parked';
    await parked(app, key);
    healed.add('parked');

    const res = await app.http.request('POST', `/api/monitoring/dlq/${keyPath(key)}/retry`, { token: TOKEN });
    expect(res.status).toBe(200);
    expect(res.json.before.deadLetter).toMatchObject({ reason: 'permanent_failure', failures: 1 });
    expect(res.json.after.nextRun).toBe(res.json.at);
    await eventually(async () => (await app.engine.snapshot(key))?.state?.deadLetter === null, 'out of the DLQ');
    expect(recorder.count(key)).toBeGreaterThanOrEqual(2);
    expect(auditOf(app, 'dlq.retry', key)).toMatchObject({
      actor: 'operator:token',
      before: { deadLetter: { reason: 'permanent_failure' } },
    });
    // no connection detail and no token in the audit record
    expect(JSON.stringify(app.audit.recent(500))).not.toContain('hunter2');
  });

  it('retries every dead-letter entry', async () => {
    const recorder = new PollRecorder();
    const healed = failUntilHealed(recorder, ['p1', 'p2']);
    const app = await startApi(recorder, { targets: [scripted('p2'), scripted('p1'), scripted('fine')] });
    await parked(app, 'scripted::p1');
    await parked(app, 'scripted::p2');
    healed.add('p1').add('p2');

    const res = await app.http.request('POST', '/api/monitoring/dlq/retry', { token: TOKEN });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ action: 'dlq.retry_all', actor: 'operator:token', count: 2 });
    expect(res.json.results.map((r: { instance: string }) => r.instance)).toEqual(['scripted::p1', 'scripted::p2']);
    await eventually(async () => {
      const snaps = await app.engine.snapshots();
      return snaps.every((s) => s.state?.deadLetter == null);
    }, 'every entry out of the DLQ');
    expect(auditOf(app, 'dlq.retry_all', null)).toMatchObject({
      actor: 'operator:token',
      detail: { count: 2, targets: ['scripted::p1', 'scripted::p2'] },
    });
  });

  it('purges a dead-letter entry: the target starts afresh', async () => {
    const recorder = new PollRecorder();
    const healed = failUntilHealed(recorder, ['doomed']);
    const app = await startApi(recorder, { targets: [scripted('doomed')] });
    const key = 'scripted::doomed';
    await parked(app, key);
    healed.add('doomed');

    const applied = waitForEvent<EngineEventMap['operator:applied'][0]>(
      app.engine.events,
      'operator:applied',
      (e) => e.key === key && e.action === 'purge_dead_letter',
    );
    const res = await app.http.request('DELETE', `/api/monitoring/dlq/${keyPath(key)}`, { token: TOKEN });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      action: 'dlq.purge',
      before: { deadLetter: { reason: 'permanent_failure' } },
      after: { deadLetter: null, consecutiveFailures: 0 },
    });
    await applied;
    await eventually(async () => {
      const state = (await app.engine.snapshot(key))?.state;
      return state?.deadLetter === null && state.lastSuccessAtMs !== null;
    }, 'purged and polled successfully');
    expect(auditOf(app, 'dlq.purge', key)).toMatchObject({ actor: 'operator:token', after: { deadLetter: null } });
  });

  it('pauses and resumes an instance', async () => {
    const recorder = new PollRecorder();
    const app = await startApi(recorder, { targets: [scripted('steady')] });
    const key = 'scripted::steady';
    await eventually(async () => recorder.count(key) >= 2, 'polled twice');

    // A cached health document (default 1 s) must not hide the action: actions invalidate it.
    const cached = (await app.http.request('GET', '/api/monitoring/scheduler/health', { token: TOKEN })).json as SchedulerHealth;
    expect(cached.instances[0].paused).toBe(false);
    const skipped = waitForEvent<Skipped>(app.engine.events, 'poll:skipped', (e) => e.key === key && e.reason === 'paused');
    const pause = await app.http.request('POST', `/api/monitoring/instances/${keyPath(key)}/pause`, { token: TOKEN });
    expect(pause.status).toBe(200);
    expect(pause.json).toMatchObject({ action: 'target.pause', before: { paused: false }, after: { paused: true, nextRun: null } });
    await skipped;
    const snap = await app.engine.snapshot(key);
    expect(snap!.definition.paused).toBe(true);
    expect(snap!.state!.nextRunAtMs! - Date.now()).toBeGreaterThan(365 * 24 * 3600 * 1000);
    const health = (await app.http.request('GET', '/api/monitoring/scheduler/health', { token: TOKEN })).json as SchedulerHealth;
    expect(health.instances[0]).toMatchObject({ paused: true, warnings: ['paused: not polled until resumed'] });

    const countAtResume = recorder.count(key);
    const resume = await app.http.request('POST', `/api/monitoring/instances/${keyPath(key)}/resume`, { token: TOKEN });
    expect(resume.status).toBe(200);
    expect(resume.json).toMatchObject({
      action: 'target.resume',
      before: { paused: true },
      after: { paused: false, nextRun: expect.stringMatching(ISO) },
    });
    await eventually(async () => recorder.count(key) >= countAtResume + 2, 'polling again after resume');
    expect((await app.engine.snapshot(key))!.definition.paused).toBe(false);
    expect(auditOf(app, 'target.pause', key)).toMatchObject({
      actor: 'operator:token',
      before: { paused: false },
      after: { paused: true },
    });
    expect(auditOf(app, 'target.resume', key)).toMatchObject({
      actor: 'operator:token',
      before: { paused: true },
      after: { paused: false },
    });
  });
});

describe('validation', () => {
  it('answers 404 for an unknown target, 400 for a malformed key, 409 when nothing is dead-lettered', async () => {
    const app = await startApi(new PollRecorder(), { targets: [scripted('known')] });
    const perTarget: Array<[string, (key: string) => string]> = [
      ['POST', (k) => `/api/monitoring/breakers/${k}/reset`],
      ['POST', (k) => `/api/monitoring/dlq/${k}/retry`],
      ['DELETE', (k) => `/api/monitoring/dlq/${k}`],
      ['POST', (k) => `/api/monitoring/instances/${k}/pause`],
      ['POST', (k) => `/api/monitoring/instances/${k}/resume`],
    ];
    const auditBefore = app.audit.recent(500).length;
    for (const [method, path] of perTarget) {
      const unknown = await app.http.request(method, path(keyPath('scripted::nope')), { token: TOKEN });
      expect(unknown.status, `${method} ${path('unknown')}`).toBe(404);
      expect(unknown.json).toEqual({ statusCode: 404, error: 'Not Found', message: 'no target "scripted::nope" is registered' });

      const noSeparator = await app.http.request(method, path('known'), { token: TOKEN });
      expect(noSeparator.status).toBe(400);
      expect(noSeparator.json).toMatchObject({ statusCode: 400, message: expect.stringContaining('expected "type::name"') });

      const emptyType = await app.http.request(method, path(keyPath('::known')), { token: TOKEN });
      expect(emptyType.status).toBe(400);
      expect(emptyType.json.message).toContain('empty type');

      const badType = await app.http.request(method, path(keyPath('no such!::known')), { token: TOKEN });
      expect(badType.status).toBe(400);
      expect(badType.json.message).toContain('type must be 1-64 letters');
    }
    for (const [method, path] of perTarget.slice(1, 3)) {
      const conflict = await app.http.request(method, path(keyPath('scripted::known')), { token: TOKEN });
      expect(conflict.status).toBe(409);
      expect(conflict.json.message).toMatch(/^target "scripted::known" is not in the dead-letter queue: nothing to (retry|purge)$/);
    }
    // nothing was done, so nothing was audited
    expect(app.audit.recent(500)).toHaveLength(auditBefore);
  });
});

describe('OpenAPI', () => {
  it('documents every route with its tag, bearer security and the instance parameter', async () => {
    const app = await startApi(new PollRecorder());
    documentAdaptivePollingApi();
    const document = SwaggerModule.createDocument(
      app.app,
      new DocumentBuilder().addBearerAuth(undefined, ADAPTIVE_POLLING_BEARER_AUTH).build(),
    );
    const expected: Array<[string, string]> = [
      ['/api/monitoring/scheduler/health', 'get'],
      ['/api/monitoring/breakers/{instance}/reset', 'post'],
      ['/api/monitoring/dlq/retry', 'post'],
      ['/api/monitoring/dlq/{instance}/retry', 'post'],
      ['/api/monitoring/dlq/{instance}', 'delete'],
      ['/api/monitoring/instances/{instance}/pause', 'post'],
      ['/api/monitoring/instances/{instance}/resume', 'post'],
    ];
    for (const [path, method] of expected) {
      const operation = (document.paths[path] as Record<string, any> | undefined)?.[method];
      expect(operation, `${method} ${path}`).toBeDefined();
      expect(operation.tags).toEqual(['adaptive-polling']);
      expect(operation.security).toEqual([{ [ADAPTIVE_POLLING_BEARER_AUTH]: [] }]);
      expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['200', '401']));
      if (path.includes('{instance}')) {
        expect(operation.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'instance', in: 'path' })]));
        expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['400', '404']));
      }
    }
    const health = (document.paths['/api/monitoring/scheduler/health'] as Record<string, any>).get;
    expect(health.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'offset', in: 'query', required: false }),
        expect.objectContaining({ name: 'limit', in: 'query', required: false }),
      ]),
    );
    expect(Object.keys(health.responses)).toEqual(expect.arrayContaining(['200', '400', '401']));
    const schemas = document.components?.schemas ?? {};
    expect(Object.keys((schemas.SchedulerHealthDto as { properties: object }).properties)).toEqual(
      expect.arrayContaining(['updatedAt', 'enabled', 'queue', 'deadLetter', 'breakers', 'staleness', 'instances', 'page']),
    );
    expect(Object.keys((schemas.HealthPageDto as { properties: object }).properties)).toEqual(['offset', 'limit', 'total']);
  });
});

@Controller()
class TestHealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly polling: AdaptivePollingHealthIndicator,
  ) {}

  @Get('health')
  @HealthCheck()
  check() {
    return this.health.check([() => this.polling.isHealthy('adaptivePolling')]);
  }
}

const terminusHost: ScriptedHost = {
  imports: [TerminusModule.forRoot({ logger: false })],
  providers: [AdaptivePollingHealthIndicator],
  controllers: [TestHealthController],
};

describe('Terminus health indicator', () => {
  it('is up with Redis reachable and workers running; dead letters above the threshold leave it up, degraded (never a restart)', async () => {
    const recorder = new PollRecorder();
    // 'parked' answers until the up check is done, then fails permanently:
    // parking it before the first request would race the check.
    let broken = false;
    recorder.behaviours.set('parked', (_ctx, n) => (broken ? failPermanently() : { ok: n }));
    const app = await startApi(
      recorder,
      { targets: [scripted('fine'), scripted('parked')], api: { token: TOKEN, healthCacheMs: 0, healthIndicator: { maxDeadLetters: 0 } } },
      terminusHost,
    );
    const up = await app.http.request('GET', '/health');
    expect(up.status).toBe(200);
    expect(up.json).toMatchObject({
      status: 'ok',
      details: { adaptivePolling: { status: 'up', redis: 'up', workers: { expected: true, running: true }, deadLetters: 0 } },
    });
    broken = true;
    await parked(app, 'scripted::parked');
    const degraded = await app.http.request('GET', '/health');
    expect(degraded.status).toBe(200);
    expect(degraded.json).toMatchObject({
      status: 'ok',
      details: {
        adaptivePolling: { status: 'up', deadLetters: 1, degraded: true, warnings: ['1 targets are dead-lettered (more than 0)'] },
      },
    });
    expect(degraded.json.details.adaptivePolling.problems).toBeUndefined();
  });

  it('reports down when Redis is unreachable', async () => {
    // A Redis of its own, stopped and then started again on the same port.
    const server = new RedisMemoryServer({
      binary: { systemBinary: process.env.REDISMS_SYSTEM_BINARY ?? '/usr/bin/redis-server' },
      instance: { args: ['--save', '', '--appendonly', 'no'] },
    });
    const port = await server.getPort();
    const url = `redis://${await server.getHost()}:${port}`;
    try {
      const app = await startApi(
        new PollRecorder(),
        { redis: url, targets: [scripted('x')], api: { token: TOKEN, healthIndicator: { timeoutMs: 500 } } },
        terminusHost,
      );
      expect((await app.http.request('GET', '/health')).status).toBe(200);
      await server.stop();
      const down = await app.http.request('GET', '/health');
      expect(down.status).toBe(503);
      expect(down.json.error.adaptivePolling).toMatchObject({
        status: 'down',
        redis: 'down',
        deadLetters: null,
        problems: [expect.stringContaining('Redis did not answer PING')],
      });
      // Bring Redis back (same port) so the app reconnects and shuts down cleanly.
      await server.start();
      expect(await server.getPort()).toBe(port);
      await eventually(async () => (await app.http.request('GET', '/health')).status === 200, 'healthy again');
    } finally {
      while (apps.length) await apps.pop()!.close();
      await server.stop().catch(() => undefined);
    }
  });
});
