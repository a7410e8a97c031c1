import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ADAPTIVE_POLLING_BEARER_AUTH, documentAdaptivePollingApi } from 'nestjs-adaptive-polling/swagger';
import { PersistenceQueryService } from 'nestjs-adaptive-polling/persistence';
import type { PollContext } from 'nestjs-adaptive-polling';
import { AuditTrailService } from '../../libs/adaptive-polling/src/nest/audit/audit-trail.service';
import type { AuditRecord } from '../../libs/adaptive-polling/src/nest/audit/audit-record';
import { jobIdForTarget } from '../../libs/adaptive-polling/src/engine/engine-keys';
import { startPrivateRedis, type PrivateRedis } from '../support/private-redis';
import { eventually } from '../support/events';
import { keyPath, listenForTests, type HttpClient, type HttpResult } from '../support/http-client';
import { PollRecorder, fastPolling, startScriptedApp, type ScriptedApp, type ScriptedAppOptions } from '../support/scripted-app';

/**
 * The target management routes on a real Nest app, a private Redis and (for
 * the audit rows) SQLite: what they change is what the engine then polls,
 * bad input is one 400 naming every bad field, and no answer carries a secret.
 */

const TOKEN = 'targets-e2e-token-5c1d';
const SECRETS = ['hunter2-pw', 'tok-3f9a7e', 'urlpass-77'];
const BASE = '/api/monitoring/targets';

let redis: PrivateRedis;
const apps: ScriptedApp[] = [];
const dirs: string[] = [];
let queueSeq = 0;

beforeAll(async () => {
  redis = await startPrivateRedis();
});
afterAll(async () => {
  await redis.stop();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
afterEach(async () => {
  while (apps.length) await apps.pop()!.close();
});

interface TargetsApp extends ScriptedApp {
  http: HttpClient;
  audit: AuditTrailService;
  /** Every response text, to check none carries a secret. */
  responses: string[];
  call(method: string, path: string, body?: unknown): Promise<HttpResult>;
}

/** The connections each target's polls saw, in order. */
class ConnectionLog {
  readonly seen = new Map<string, Array<Record<string, unknown>>>();
  of(name: string): Array<Record<string, unknown>> {
    return this.seen.get(name) ?? [];
  }
}

function recorderWith(log: ConnectionLog): PollRecorder {
  const recorder = new PollRecorder();
  recorder.defaultBehaviour = (ctx: PollContext, n) => {
    const list = log.seen.get(ctx.target.name) ?? [];
    list.push({ ...ctx.target.connection });
    log.seen.set(ctx.target.name, list);
    return { n };
  };
  return recorder;
}

async function startTargetsApp(recorder: PollRecorder, options: Partial<ScriptedAppOptions> = {}): Promise<TargetsApp> {
  queueSeq += 1;
  const started = await startScriptedApp(recorder, {
    redis: redis.url,
    queueName: `targets-api-${queueSeq}`,
    polling: fastPolling(),
    api: { token: TOKEN },
    ...options,
  });
  apps.push(started);
  const http = await listenForTests(started.app);
  const responses: string[] = [];
  return {
    ...started,
    http,
    audit: started.app.get(AuditTrailService),
    responses,
    async call(method, path, body) {
      const result = await http.request(method, path, { token: TOKEN, body });
      responses.push(result.text);
      return result;
    },
  };
}

function secretConnection(host: string) {
  return { baseUrl: `https://monitor:urlpass-77@${host}:8006`, user: 'monitor', password: 'hunter2-pw', tokenSecret: 'tok-3f9a7e' };
}

function auditOf(app: TargetsApp, action: AuditRecord['action'], target: string): AuditRecord[] {
  return app.audit.recent(500).filter((r) => r.action === action && r.target === target);
}

function expectNoSecret(texts: string[]): void {
  const all = texts.join('\n');
  for (const secret of SECRETS) expect(all, `a response carries ${secret}`).not.toContain(secret);
}

function sqlitePersistence() {
  const dir = mkdtempSync(join(tmpdir(), 'ap-targets-api-'));
  dirs.push(dir);
  return { sqlitePath: join(dir, 'audit.sqlite'), flushIntervalMs: 50 };
}

describe('target management routes', () => {
  it('create, patch, poll now and delete drive the engine, each audited (in memory and as SQLite rows)', async () => {
    const log = new ConnectionLog();
    const recorder = recorderWith(log);
    const keepAlive = { name: 'steady', type: 'scripted' };
    const app = await startTargetsApp(recorder, { targets: [keepAlive], persistence: sqlitePersistence() });
    const key = 'scripted::api-made';

    // Create: answered 201 without a secret, then polled with the connection given.
    const created = await app.call('POST', BASE, {
      name: 'api-made',
      type: 'scripted',
      displayName: 'Made over HTTP',
      connection: secretConnection('pve-a.example'),
      metadata: { site: 'lab', apiToken: 'tok-3f9a7e' },
    });
    expect(created.status, created.text).toBe(201);
    expect(created.json).toEqual({
      instance: key,
      name: 'api-made',
      type: 'scripted',
      displayName: 'Made over HTTP',
      connection: { baseUrl: 'https://***@pve-a.example:8006', user: 'monitor' },
      metadata: { site: 'lab' },
      fixedIntervalMs: null,
      paused: false,
    });
    await eventually(async () => log.of('api-made').length > 0, 'the created target is polled');
    expect(log.of('api-made')[0]).toEqual(secretConnection('pve-a.example'));

    // Read back: definition, schedule and state, still without a secret.
    const read = await app.call('GET', `${BASE}/${keyPath(key)}`);
    expect(read.status).toBe(200);
    expect(read.json).toMatchObject({ instance: key, scheduled: true, connection: { user: 'monitor' } });

    // Patch the connection (a merge patch: the password need not be sent again): the next poll uses it.
    const patched = await app.call('PATCH', `${BASE}/${keyPath(key)}`, { connection: { baseUrl: 'https://pve-b.example:8006' } });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.json.connection).toEqual({ baseUrl: 'https://pve-b.example:8006', user: 'monitor' });
    // Every poll started after the answer (the log is written as a poll starts) uses the new connection.
    const pollsBefore = log.of('api-made').length;
    await eventually(async () => log.of('api-made').length >= pollsBefore + 3, 'three polls after the patch');
    for (const seen of log.of('api-made').slice(pollsBefore)) {
      expect(seen).toEqual({ ...secretConnection('pve-a.example'), baseUrl: 'https://pve-b.example:8006' });
    }

    // Poll now: a target on a long fixed interval polls again at once.
    const slowKey = 'scripted::slow';
    expect((await app.call('POST', BASE, { name: 'slow', type: 'scripted', fixedIntervalMs: 3_600_000 })).status).toBe(201);
    await eventually(
      async () => log.of('slow').length === 1 && (await app.engine.snapshot(slowKey))?.state?.totals.polls === 1,
      'slow polled once',
    );
    const poll = await app.call('POST', `${BASE}/${keyPath(slowKey)}/poll`);
    expect(poll.status, poll.text).toBe(202);
    expect(poll.json).toMatchObject({ action: 'target.poll', instance: slowKey, actor: 'operator:token', triggered: true, reason: null });
    await eventually(async () => log.of('slow').length === 2, 'slow polled again after poll-now');

    // Delete: the job is gone and polling stops (while the other targets keep polling).
    const deleted = await app.call('DELETE', `${BASE}/${keyPath(key)}`);
    expect(deleted.status, deleted.text).toBe(200);
    expect(deleted.json).toMatchObject({ instance: key });
    await eventually(async () => (await app.engine.bullQueue.getJob(jobIdForTarget(key))) === undefined, 'its job is removed');
    const afterDelete = recorder.count(key);
    const steadyNow = recorder.count('scripted::steady');
    // Five intervals of the other target: the deleted one would have polled meanwhile.
    await eventually(async () => recorder.count('scripted::steady') >= steadyNow + 5, 'steady polls five more times');
    expect(recorder.count(key)).toBe(afterDelete);
    expect((await app.call('GET', `${BASE}/${keyPath(key)}`)).status).toBe(404);

    // Every change audited with the token's actor, and none of it holds a secret.
    for (const action of ['target.add', 'target.update', 'target.remove'] as const) {
      expect(auditOf(app, action, key), action).toEqual([expect.objectContaining({ actor: 'operator:token', detail: { via: 'api' } })]);
    }
    expect(auditOf(app, 'target.poll', slowKey)).toEqual([
      expect.objectContaining({ actor: 'operator:token', detail: { via: 'api', triggered: true } }),
    ]);
    expectNoSecret([JSON.stringify(app.audit.recent(500))]);

    // The same records as SQLite rows.
    const query = app.app.get(PersistenceQueryService);
    const rows = await eventually(async () => {
      const found = await query.auditRecords({ limit: 1000 });
      const wanted = found.filter((r) => r.target === key || (r.target === slowKey && r.action === 'target.poll'));
      return wanted.length === 4 ? wanted : null;
    }, 'the audit rows are written');
    expect(rows.map((r) => [r.action, r.target, r.actor])).toEqual([
      ['target.add', key, 'operator:token'],
      ['target.update', key, 'operator:token'],
      ['target.poll', slowKey, 'operator:token'],
      ['target.remove', key, 'operator:token'],
    ]);
    expectNoSecret([JSON.stringify(await query.auditRecords({ limit: 1000 }))]);
    expectNoSecret(app.responses);
  });

  it('names every bad field of a body or query at once (400), and changes nothing', async () => {
    const app = await startTargetsApp(new PollRecorder(), { targets: [{ name: 'one', type: 'scripted' }] });
    const before = app.audit.recent(500).filter((r) => r.actor !== 'system').length;
    const fields = (result: HttpResult) => (result.json.problems as Array<{ field: string }>).map((p) => p.field);

    const create = await app.call('POST', BASE, {
      name: '',
      type: 'not a type!',
      connection: 'https://x',
      metadata: [1],
      fixedIntervalMs: -5,
      paused: 'yes',
      colour: 'red',
    });
    expect(create.status).toBe(400);
    expect(create.json).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(fields(create)).toEqual([
      'body.name',
      'body.type',
      'body.connection',
      'body.metadata',
      'body.fixedIntervalMs',
      'body.paused',
      'body.colour',
    ]);
    for (const field of fields(create)) expect(create.json.message).toContain(field);

    // A type no poller handles is named together with the other problems.
    const unhandled = await app.call('POST', BASE, { name: 'x', type: 'nobody-polls-this', displayName: 7 });
    expect(unhandled.status).toBe(400);
    expect(unhandled.json.problems).toEqual([
      { field: 'body.displayName', message: 'must be a string' },
      { field: 'body.type', message: expect.stringContaining('no poller handles type "nobody-polls-this" (known: scripted)') },
    ]);

    const notObject = await app.call('POST', BASE, [1, 2]);
    expect(notObject.status).toBe(400);
    expect(fields(notObject)).toEqual(['body']);

    const patch = await app.call('PATCH', `${BASE}/${keyPath('scripted::one')}`, {
      name: 'renamed',
      connection: null,
      displayName: 3,
      fixedIntervalMs: 0,
      paused: 'no',
      bogus: true,
    });
    expect(patch.status).toBe(400);
    expect(fields(patch).sort()).toEqual(
      ['body.name', 'body.bogus', 'body.connection', 'body.displayName', 'body.fixedIntervalMs', 'body.paused'].sort(),
    );
    expect(fields(await app.call('PATCH', `${BASE}/${keyPath('scripted::one')}`, {}))).toEqual(['body']);

    const list = await app.call('GET', `${BASE}?limit=abc&offset=-1&type=bad%20type&colour=red`);
    expect(list.status).toBe(400);
    expect(fields(list).sort()).toEqual(['query.colour', 'query.limit', 'query.offset', 'query.type']);
    expect(fields(await app.call('GET', `${BASE}?limit=1&limit=2`))).toEqual(['query.limit']);

    // Nothing was changed, nothing audited.
    expect(app.audit.recent(500).filter((r) => r.actor !== 'system')).toHaveLength(before);
    expect((await app.engine.listTargets()).map((t) => t.name)).toEqual(['one']);
    expect((await app.engine.getTarget('scripted::one'))?.displayName).toBe('one');
  });

  it('409 for a duplicate, 404 for an unknown target on every route, 400 for a malformed key', async () => {
    const app = await startTargetsApp(new PollRecorder(), { targets: [{ name: 'static', type: 'scripted' }] });
    const duplicateStatic = await app.call('POST', BASE, { name: 'static', type: 'scripted' });
    expect(duplicateStatic.status).toBe(409);
    expect(duplicateStatic.json).toMatchObject({ statusCode: 409, message: 'a target "scripted::static" is already registered' });
    expect((await app.call('POST', BASE, { name: 'fresh', type: 'scripted', connection: secretConnection('a') })).status).toBe(201);
    expect((await app.call('POST', BASE, { name: 'fresh', type: 'scripted', connection: secretConnection('b') })).status).toBe(409);
    // The duplicate did not replace the first one's connection.
    expect((await app.engine.getTarget('scripted::fresh'))?.connection).toEqual(secretConnection('a'));

    const unknown = keyPath('scripted::nope');
    for (const [method, path, body] of [
      ['GET', `${BASE}/${unknown}`, undefined],
      ['PATCH', `${BASE}/${unknown}`, { displayName: 'x' }],
      ['DELETE', `${BASE}/${unknown}`, undefined],
      ['POST', `${BASE}/${unknown}/poll`, undefined],
    ] as const) {
      const result = await app.call(method, path, body);
      expect(result.status, `${method} ${path}`).toBe(404);
      expect(result.json).toMatchObject({ statusCode: 404, message: 'no target "scripted::nope" is registered' });
    }
    expect((await app.call('GET', `${BASE}/no-separator`)).status).toBe(400);
    expect(auditOf(app, 'target.add', 'scripted::fresh')).toHaveLength(1);
    expectNoSecret(app.responses);
  });

  it('lists a page by key with its total, filtered by type; pauses through PATCH; poll-now of a paused target polls nothing', async () => {
    const recorder = new PollRecorder();
    const app = await startTargetsApp(recorder);
    for (const name of ['c', 'a', 'b', 'd']) {
      expect((await app.call('POST', BASE, { name, type: 'scripted', connection: secretConnection(name) })).status).toBe(201);
    }
    const page = await app.call('GET', `${BASE}?offset=1&limit=2`);
    expect(page.status).toBe(200);
    expect(page.json).toMatchObject({ total: 4, offset: 1, limit: 2 });
    expect(page.json.items.map((t: { instance: string }) => t.instance)).toEqual(['scripted::b', 'scripted::c']);
    expect((await app.call('GET', `${BASE}?type=other`)).json).toEqual({ total: 0, offset: 0, limit: 100, items: [] });
    expect((await app.call('GET', `${BASE}?type=scripted`)).json.total).toBe(4);

    const paused = await app.call('PATCH', `${BASE}/${keyPath('scripted::a')}`, { paused: true });
    expect(paused.json).toMatchObject({ instance: 'scripted::a', paused: true });
    expect(auditOf(app, 'target.pause', 'scripted::a')).toEqual([expect.objectContaining({ actor: 'operator:token' })]);
    const poll = await app.call('POST', `${BASE}/${keyPath('scripted::a')}/poll`);
    expect(poll.status).toBe(202);
    expect(poll.json).toMatchObject({ triggered: false, reason: 'paused' });
    expect(auditOf(app, 'target.poll', 'scripted::a')).toEqual([
      expect.objectContaining({ detail: { via: 'api', triggered: false, reason: 'paused' } }),
    ]);
    expectNoSecret(app.responses);
  });

  it('refuses every route without the token, and documents them in OpenAPI', async () => {
    const app = await startTargetsApp(new PollRecorder(), { targets: [{ name: 't', type: 'scripted' }] });
    const key = keyPath('scripted::t');
    const routes: Array<[string, string]> = [
      ['GET', BASE],
      ['POST', BASE],
      ['GET', `${BASE}/${key}`],
      ['PATCH', `${BASE}/${key}`],
      ['DELETE', `${BASE}/${key}`],
      ['POST', `${BASE}/${key}/poll`],
    ];
    for (const [method, path] of routes) {
      const refused = await app.http.request(method, path, method === 'GET' ? {} : { body: { name: 'x', type: 'scripted' } });
      expect(refused.status, `${method} ${path}`).toBe(401);
    }
    expect(await app.engine.getTarget('scripted::t')).toBeDefined();

    documentAdaptivePollingApi();
    const document = SwaggerModule.createDocument(
      app.app,
      new DocumentBuilder().addBearerAuth(undefined, ADAPTIVE_POLLING_BEARER_AUTH).build(),
    );
    const expected: Array<[string, string, string]> = [
      ['/api/monitoring/targets', 'get', '200'],
      ['/api/monitoring/targets', 'post', '201'],
      ['/api/monitoring/targets/{instance}', 'get', '200'],
      ['/api/monitoring/targets/{instance}', 'patch', '200'],
      ['/api/monitoring/targets/{instance}', 'delete', '200'],
      ['/api/monitoring/targets/{instance}/poll', 'post', '202'],
    ];
    for (const [path, method, ok] of expected) {
      const operation = (document.paths[path] as Record<string, any> | undefined)?.[method];
      expect(operation, `${method} ${path}`).toBeDefined();
      expect(operation.tags).toEqual(['adaptive-polling']);
      expect(operation.security).toEqual([{ [ADAPTIVE_POLLING_BEARER_AUTH]: [] }]);
      expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining([ok, '400', '401']));
    }
    const schemas = document.components?.schemas ?? {};
    expect(Object.keys((schemas.CreateTargetDto as { properties: object }).properties)).toEqual(
      expect.arrayContaining(['name', 'type', 'connection', 'fixedIntervalMs']),
    );
    expect(Object.keys((schemas.InvalidRequestDto as { properties: object }).properties)).toContain('problems');
    expect(document.paths['/api/monitoring/targets'].post?.requestBody).toBeDefined();
  });
});
