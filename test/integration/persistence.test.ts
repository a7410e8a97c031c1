import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { Logger } from '@nestjs/common';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DatabaseConnection, PersistenceWriter, PollRollupRecorder } from '../../libs/adaptive-polling/src/nest/persistence';
import { HousekeepingService, type HousekeepingRunEvent } from '../../libs/adaptive-polling/src/nest/housekeeping';
import { PermanentPollError, TargetRegistryService, TransientPollError } from 'nestjs-adaptive-polling';
import { PersistenceQueryService, type AdaptivePollingPersistenceOptions } from 'nestjs-adaptive-polling/persistence';
import { PollingMetricsService } from 'nestjs-adaptive-polling/prometheus';
import { SchedulerHealthService } from '../../libs/adaptive-polling/src/nest/api/scheduler-health.service';
import { jobIdForTarget } from '../../libs/adaptive-polling/src/engine/engine-keys';
import { AuditTrailService } from '../../libs/adaptive-polling/src/nest/audit/audit-trail.service';
import { hourStartOf } from '../../libs/adaptive-polling/src/nest/persistence/rollups/rollup-keys';
import { startPrivateRedis, type PrivateRedis } from '../support/private-redis';
import { eventually, waitForEvent } from '../support/events';
import { PollRecorder, fastPolling, startScriptedApp, type ScriptedApp, type ScriptedAppOptions } from '../support/scripted-app';

/**
 * The persistence suite runs on SQLite (a temp file) and on the machine's
 * PostgreSQL (127.0.0.1:5432, database `test`, a fresh schema per run). The
 * PostgreSQL URL carries a password (trust auth ignores it) that must never
 * appear in any log line, status or error.
 */
const PG_PASSWORD = `pw-${randomBytes(6).toString('hex')}-secret`;
const PG_ADMIN_URL = process.env.ADAPTIVE_POLLING_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

interface Backend {
  name: 'sqlite' | 'postgres';
  persistence(overrides?: AdaptivePollingPersistenceOptions): AdaptivePollingPersistenceOptions;
  setup(): Promise<void>;
  teardown(): Promise<void>;
}

function sqliteBackend(): Backend & { file: string } {
  let dir = '';
  const backend = {
    name: 'sqlite' as const,
    file: '',
    persistence: (overrides: AdaptivePollingPersistenceOptions = {}) => ({
      sqlitePath: backend.file,
      flushIntervalMs: 50,
      ...overrides,
    }),
    setup: async () => {
      dir = mkdtempSync(join(tmpdir(), 'ap-persistence-'));
      // A sub-folder that does not exist yet: the module creates it.
      backend.file = join(dir, 'data', 'adaptive-polling.sqlite');
    },
    teardown: async () => {
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return backend;
}

async function adminQuery(sql: string): Promise<void> {
  const admin = new DataSource({ type: 'postgres', url: PG_ADMIN_URL });
  await admin.initialize();
  try {
    await admin.query(sql);
  } finally {
    await admin.destroy();
  }
}

function postgresBackend(): Backend & { schema: string } {
  const schema = `ap_test_${randomBytes(5).toString('hex')}`;
  const admin = new URL(PG_ADMIN_URL);
  admin.password = PG_PASSWORD;
  const urlWithPassword = admin.toString();
  return {
    name: 'postgres',
    schema,
    persistence: (overrides = {}) => ({ url: urlWithPassword, schema, flushIntervalMs: 50, ...overrides }),
    setup: async () => {
      await adminQuery(`CREATE SCHEMA ${schema}`);
    },
    teardown: async () => {
      await adminQuery(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    },
  };
}

let redis: PrivateRedis;
let client: Redis;
const apps: ScriptedApp[] = [];
let queueSeq = 0;
const output: string[] = [];

beforeAll(async () => {
  redis = await startPrivateRedis();
  client = new Redis(redis.url);
  // Everything the apps log or print, to check that no secret ever appears.
  // (@nestjs/testing silences warnings, so the Logger calls are captured too.)
  for (const level of ['log', 'warn', 'error'] as const) {
    // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the right `this`
    const original = Logger.prototype[level];
    vi.spyOn(Logger.prototype, level).mockImplementation(function (this: Logger, message: unknown, ...rest: unknown[]) {
      output.push([message, ...rest].map((part) => (part instanceof Error ? `${part.message} ${part.stack}` : String(part))).join(' '));
      return (original as (...args: unknown[]) => void).call(this, message, ...rest);
    });
  }
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write.bind(stream);
    vi.spyOn(stream, 'write').mockImplementation((chunk: unknown, ...rest: unknown[]) => {
      output.push(String(chunk));
      return (original as (...args: unknown[]) => boolean)(chunk, ...rest);
    });
  }
});

afterAll(async () => {
  vi.restoreAllMocks();
  client.disconnect();
  await redis.stop();
  expect(output.join('')).not.toContain(PG_PASSWORD);
});

afterEach(async () => {
  while (apps.length) await apps.pop()!.close();
});

function freshQueue(): string {
  queueSeq += 1;
  return `persistence-test-${queueSeq}`;
}

function scripted(name: string) {
  return { name, type: 'scripted' };
}

async function start(recorder: PollRecorder, options: Partial<ScriptedAppOptions> & { queueName: string }): Promise<ScriptedApp> {
  const app = await startScriptedApp(recorder, { redis: redis.url, polling: fastPolling(), ...options });
  apps.push(app);
  return app;
}

async function closeApp(app: ScriptedApp): Promise<void> {
  apps.splice(apps.indexOf(app), 1);
  await app.close();
}

function services(app: ScriptedApp) {
  return {
    query: app.app.get(PersistenceQueryService),
    writer: app.app.get(PersistenceWriter),
    connection: app.app.get(DatabaseConnection),
    registry: app.app.get(TargetRegistryService),
    audit: app.app.get(AuditTrailService),
    housekeeping: app.app.get(HousekeepingService),
    health: app.app.get(SchedulerHealthService),
    metrics: app.app.get(PollingMetricsService),
    rollups: app.app.get(PollRollupRecorder),
  };
}

function permanentFailure(): never {
  throw new PermanentPollError('HTTP 401 Unauthorized', { statusCode: 401 });
}

/** The target's dead letter once it is parked (read from Redis, so no event can be missed). */
async function parkedState(app: ScriptedApp, key: string) {
  const snap = await eventually(async () => {
    const found = await app.engine.snapshot(key);
    return found?.state?.deadLetter ? found : undefined;
  }, `${key} is parked`);
  return snap.state!;
}

async function health(app: ScriptedApp) {
  const service = services(app).health;
  service.invalidate();
  return service.health();
}

const backends: Array<Backend> = [sqliteBackend(), postgresBackend()];

describe.each(backends)('persistence on $name', (backend) => {
  beforeAll(() => backend.setup());
  afterAll(() => backend.teardown());

  it('runs its migrations at start: the tables match the entities', async () => {
    const app = await start(new PollRecorder(), { queueName: freshQueue(), persistence: backend.persistence() });
    const { connection } = services(app);
    expect(connection.ready).toBe(true);
    const pending = await connection.dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
    const applied = await connection.dataSource.showMigrations();
    expect(applied).toBe(false); // nothing left to run
    expect(connection.description).not.toContain(PG_PASSWORD);
  });

  it('dead letters, audit records and run-time targets survive a restart and show in the services and health', async () => {
    const queueName = freshQueue();
    const recorder = new PollRecorder();
    recorder.behaviours.set('locked', permanentFailure);
    const options = { queueName, targets: [scripted('locked'), scripted('ok')], persistence: backend.persistence() };

    const first = await start(recorder, options);
    const retryAtMs = (await parkedState(first, 'scripted::locked')).deadLetter!.retryAtMs;
    const a = services(first);
    await a.registry.add({
      name: 'runtime-1',
      type: 'scripted',
      displayName: 'Added at run time',
      connection: { baseUrl: 'https://pve.example:8006', token: 'runtime-token-secret' },
      metadata: { team: 'ops' },
    });
    await a.registry.pause('scripted::runtime-1');
    a.audit.record({
      atMs: Date.now(),
      actor: 'operator:alice',
      action: 'breaker.reset',
      target: 'scripted::ok',
      before: { breaker: 'open' },
      after: { breaker: 'closed' },
      detail: { via: 'test' },
    });
    expect(await a.writer.flushNow()).toBe(true);
    await closeApp(first);

    const second = await start(recorder, options);
    const b = services(second);
    const deadLetters = await b.query.deadLetters();
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]).toMatchObject({
      key: 'scripted::locked',
      type: 'scripted',
      reason: 'permanent_failure',
      failures: 1,
      parkedCount: 1,
      retryAtMs,
    });
    expect(deadLetters[0].lastError).toContain('401');
    expect(retryAtMs - deadLetters[0].enteredAtMs).toBe(30 * 60_000);

    const audit = await b.query.auditRecords();
    expect(audit.map((r) => r.action)).toEqual(expect.arrayContaining(['dead_letter.in', 'breaker.reset']));
    expect(audit.find((r) => r.action === 'breaker.reset')).toMatchObject({
      actor: 'operator:alice',
      target: 'scripted::ok',
      before: { breaker: 'open' },
      after: { breaker: 'closed' },
      detail: { via: 'test' },
    });
    expect(audit.find((r) => r.action === 'dead_letter.in')).toMatchObject({ target: 'scripted::locked', actor: 'system' });

    const runtime = await b.query.runtimeTargets();
    expect(runtime).toEqual([
      expect.objectContaining({
        name: 'runtime-1',
        paused: true,
        connection: { baseUrl: 'https://pve.example:8006', token: 'runtime-token-secret' },
        metadata: { team: 'ops' },
      }),
    ]);
    expect(await b.registry.get('scripted::runtime-1')).toMatchObject({ paused: true, displayName: 'Added at run time' });

    // The restarted app resumed the schedule: the parked target was not polled again.
    expect(recorder.count('scripted::locked')).toBe(1);
    const doc = await health(second);
    expect(doc.deadLetter.count).toBe(1);
    expect(JSON.stringify(doc.deadLetter.tasks)).toContain('locked');
    expect(doc.persistence).toMatchObject({ up: true });
    expect(JSON.stringify(doc)).not.toContain('runtime-token-secret');
  });

  it('after FLUSHALL the parked target comes back still parked with its retry time, and run-time targets come back', async () => {
    const queueName = freshQueue();
    const recorder = new PollRecorder();
    recorder.behaviours.set('locked', permanentFailure);
    const options = {
      queueName,
      targets: [scripted('locked'), scripted('ok')],
      persistence: backend.persistence(),
      reconcileIntervalMs: 200,
    };
    const running = await start(recorder, options);
    const retryAtMs = (await parkedState(running, 'scripted::locked')).deadLetter!.retryAtMs;
    const s = services(running);
    await s.registry.add({ name: 'runtime-2', type: 'scripted', connection: { token: 'rt-2-secret' } });
    await eventually(async () => recorder.count('scripted::runtime-2') > 0, 'the run-time target polled');
    expect(await s.writer.flushNow()).toBe(true);

    // Redis loses everything while the app runs: the engine rebuilds, the dead letter comes from the database.
    const rebuilt = waitForEvent(running.engine.events, 'schedule:rebuilt');
    await client.flushall();
    await rebuilt;
    const snap = await eventually(async () => {
      const found = await running.engine.snapshot('scripted::locked');
      return found?.scheduled ? found : undefined;
    }, 'the parked target has its job again');
    expect(snap.state?.deadLetter).toMatchObject({ reason: 'permanent_failure', retryAtMs });
    expect(snap.state?.nextRunAtMs).toBe(retryAtMs);
    const okPolls = recorder.count('scripted::ok');
    await eventually(async () => recorder.count('scripted::ok') >= okPolls + 3, 'polling goes on after the rebuild');
    expect(recorder.count('scripted::locked')).toBe(1);
    await closeApp(running);

    // Redis empty and no process left that remembers: everything comes from the options and the database.
    await client.flushall();
    const restarted = await start(recorder, options);
    const targets = (await services(restarted).registry.list()).map((t) => `${t.type}::${t.name}`);
    expect(targets).toEqual(['scripted::locked', 'scripted::ok', 'scripted::runtime-2']);
    expect(await services(restarted).registry.get('scripted::runtime-2')).toMatchObject({ connection: { token: 'rt-2-secret' } });
    const again = await restarted.engine.snapshot('scripted::locked');
    expect(again?.scheduled).toBe(true);
    expect(again?.state?.deadLetter).toMatchObject({ reason: 'permanent_failure', retryAtMs, parkedCount: 1 });
    expect(again?.state?.nextRunAtMs).toBe(retryAtMs);
    const runtimePolls = recorder.count('scripted::runtime-2');
    await eventually(async () => recorder.count('scripted::runtime-2') > runtimePolls, 'the run-time target polls again');
    expect(recorder.count('scripted::locked')).toBe(1);
    expect((await health(restarted)).deadLetter.count).toBe(1);
  });

  it('a run-time pause of a configured target survives the loss of Redis and a restart; a resume is kept too', async () => {
    const queueName = freshQueue();
    const recorder = new PollRecorder();
    const options = { queueName, targets: [scripted('s1'), scripted('s2')], persistence: backend.persistence() };
    const running = await start(recorder, options);
    await services(running).registry.pause('scripted::s1');
    expect(await services(running).writer.flushNow()).toBe(true);
    await closeApp(running);

    // Redis empty and no process left that remembers: the pause comes from the database.
    await client.flushall();
    const restarted = await start(recorder, options);
    expect((await services(restarted).registry.get('scripted::s1'))!.paused).toBe(true);
    expect((await services(restarted).registry.get('scripted::s2'))!.paused).toBe(false);
    const polled = recorder.count('scripted::s1');
    await eventually(async () => recorder.count('scripted::s2') >= 3, 'the other target polls');
    expect(recorder.count('scripted::s1')).toBe(polled);

    await services(restarted).registry.resume('scripted::s1');
    expect(await services(restarted).writer.flushNow()).toBe(true);
    await closeApp(restarted);
    await client.flushall();
    const again = await start(recorder, options);
    expect((await services(again).registry.get('scripted::s1'))!.paused).toBe(false);
  });

  it('the dead-letter sweep gives a parked target whose job went missing its job back, and drops rows of removed targets', async () => {
    const queueName = freshQueue();
    const recorder = new PollRecorder();
    recorder.behaviours.set('locked', permanentFailure);
    const app = await start(recorder, {
      queueName,
      targets: [scripted('locked')],
      persistence: backend.persistence(),
      // The engine's own reconcile stays out of the way: only the sweep can repair.
      reconcileIntervalMs: 3_600_000,
    });
    const parked = await parkedState(app, 'scripted::locked');
    const s = services(app);
    expect(await s.writer.flushNow()).toBe(true);
    expect(await app.engine.bullQueue.remove(jobIdForTarget('scripted::locked'))).toBe(1);
    expect((await app.engine.snapshot('scripted::locked'))?.scheduled).toBe(false);
    // A row whose target no longer exists (its delete was lost).
    s.writer.putState({
      table: 'dead_letter',
      op: 'upsert',
      key: 'scripted::ghost',
      row: ghostRow(),
    });
    expect(await s.writer.flushNow()).toBe(true);

    const runs: HousekeepingRunEvent[] = [];
    s.housekeeping.events.on('run', (e) => runs.push(e));
    expect(await s.housekeeping.runNow('dead-letter-sweep')).toBe('ran');
    expect(runs.at(-1)?.result).toMatchObject({ jobsRecreated: 1, deleted: 1 });
    const snap = await app.engine.snapshot('scripted::locked');
    expect(snap?.scheduled).toBe(true);
    expect(snap?.state?.deadLetter?.retryAtMs).toBe(parked.deadLetter!.retryAtMs);
    expect(await s.writer.flushNow()).toBe(true);
    expect((await s.query.deadLetters()).map((d) => d.key)).toEqual(['scripted::locked']);
    expect(recorder.count('scripted::locked')).toBe(1);
  });

  it('hourly rollups: polls, failures, data changes, duration percentiles and worst staleness per target', async () => {
    const queueName = freshQueue();
    const recorder = new PollRecorder();
    recorder.behaviours.set('down', (_ctx, n) => {
      if (n === 1) return { up: true };
      throw new TransientPollError('connect ECONNREFUSED 127.0.0.1:1');
    });
    const app = await start(recorder, {
      queueName,
      targets: [scripted('ok'), scripted('down')],
      persistence: backend.persistence(),
    });
    const s = services(app);
    await parkedState(app, 'scripted::down');
    await eventually(async () => recorder.count('scripted::ok') >= 5, 'five polls of ok');
    await s.rollups.settled();
    const okPollsBefore = recorder.count('scripted::ok');
    expect(await s.housekeeping.runNow('rollups')).toBe('ran');
    const rows = await s.query.rollups();
    const hour = hourStartOf(Date.now());
    for (const row of rows) expect([hour, hour - 3_600_000]).toContain(row.hourStartMs);
    // One row per target and hour; the test may straddle an hour boundary.
    if (new Set(rows.map((r) => r.hourStartMs)).size > 1) return;
    expect(rows).toHaveLength(2);
    const ok = rows.find((r) => r.key === 'scripted::ok')!;
    const down = rows.find((r) => r.key === 'scripted::down')!;
    expect(ok.polls).toBeGreaterThanOrEqual(okPollsBefore);
    expect(ok.polls).toBeLessThanOrEqual(recorder.count('scripted::ok'));
    expect(ok.failures).toBe(0);
    // Every result differs from the one before (the first has nothing to compare with).
    expect(ok.dataChanges).toBe(ok.polls - 1);
    expect(ok.durationP50Ms).not.toBeNull();
    expect(ok.durationP50Ms!).toBeLessThanOrEqual(ok.durationP95Ms!);
    expect(ok.durationP95Ms!).toBeLessThanOrEqual(ok.durationMaxMs!);
    expect(ok.worstStalenessSeconds!).toBeGreaterThan(0.05);
    expect(ok.worstStalenessSeconds!).toBeLessThan(5);
    expect(down).toMatchObject({ polls: 6, failures: 5, dataChanges: 0 });
    // Data of `down` aged from its one success to its last failure.
    expect(down.worstStalenessSeconds!).toBeGreaterThan(0.1);
  });
});

describe('database outages (SQLite)', () => {
  const backend = sqliteBackend();
  beforeAll(() => backend.setup());
  afterAll(() => backend.teardown());

  it('a locked database does not stop polling, shows in status, health and metrics, and buffered writes land after it returns', async () => {
    const queueName = freshQueue();
    const recorder = new PollRecorder();
    const app = await start(recorder, {
      queueName,
      targets: [scripted('ok')],
      persistence: backend.persistence({
        flushIntervalMs: 50,
        retryInitialDelayMs: 50,
        retryMaxDelayMs: 200,
        probeIntervalMs: 100,
        sqliteBusyTimeoutMs: 20,
      }),
    });
    const s = services(app);
    await eventually(async () => s.writer.status().up, 'the database is up');

    // Another connection holds the write lock: every write fails with "database is locked".
    const blocker = new DataSource({ type: 'better-sqlite3', database: backend.file });
    await blocker.initialize();
    await blocker.query('BEGIN IMMEDIATE');
    try {
      await s.registry.add({ name: 'during-outage', type: 'scripted' });
      s.audit.record({
        atMs: Date.now(),
        actor: 'operator:bob',
        action: 'dlq.retry_all',
        target: null,
        before: null,
        after: null,
        detail: { via: 'test' },
      });
      const down = await eventually(async () => {
        const status = s.writer.status();
        return !status.up && status.pendingWrites >= 2 ? status : undefined;
      }, 'the outage shows in the status');
      expect(down.lastError).toMatch(/locked|busy/i);
      expect(down.lastErrorAtMs).not.toBeNull();

      const polls = recorder.count('scripted::ok');
      await eventually(async () => recorder.count('scripted::ok') >= polls + 5, 'polling goes on during the outage');
      expect(s.writer.status().up).toBe(false);
      expect((await health(app)).persistence).toMatchObject({ up: false });
      const text = await s.metrics.metrics();
      expect(text).toMatch(/persistence_up(\{[^}]*\})? 0\b/);
      const failures = Number(/persistence_write_failures_total(?:\{[^}]*\})? (\d+)/.exec(text)?.[1] ?? '0');
      expect(failures).toBeGreaterThan(0);
    } finally {
      await blocker.query('ROLLBACK');
      await blocker.destroy();
    }

    await eventually(async () => {
      const status = s.writer.status();
      return status.up && status.pendingWrites === 0;
    }, 'the buffered writes are written');
    expect((await s.query.runtimeTargets()).map((t) => t.name)).toEqual(['during-outage']);
    expect((await s.query.auditRecords()).find((r) => r.action === 'dlq.retry_all')).toMatchObject({ actor: 'operator:bob' });
    expect(s.writer.status().droppedWrites).toBe(0);
  });

  it('an unreachable PostgreSQL at start-up: the app starts, polls, reports the outage, and never shows the password', async () => {
    const port = await closedPort();
    const recorder = new PollRecorder();
    const app = await start(recorder, {
      queueName: freshQueue(),
      targets: [scripted('ok')],
      persistence: { url: `postgres://postgres:${PG_PASSWORD}@127.0.0.1:${port}/test`, connectTimeoutMs: 300, probeIntervalMs: 100 },
    });
    const s = services(app);
    await eventually(async () => recorder.count('scripted::ok') >= 3, 'polling without the database');
    const status = s.writer.status();
    expect(status.up).toBe(false);
    expect(status.lastError).toBeTruthy();
    expect(JSON.stringify(status)).not.toContain(PG_PASSWORD);
    expect(status.database).toBe(`PostgreSQL at 127.0.0.1:${port}/test`);
    expect(JSON.stringify((await health(app)).persistence)).not.toContain(PG_PASSWORD);
    // The outage was logged (so the file-wide "no password in the output" check has something to check).
    expect(output.some((line) => line.includes('is unreachable at start-up') && line.includes(`127.0.0.1:${port}`))).toBe(true);
  });
});

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

function ghostRow() {
  const now = Date.now();
  return {
    targetKey: 'scripted::ghost',
    targetType: 'scripted',
    reason: 'permanent_failure',
    lastError: 'HTTP 404',
    failures: 1,
    enteredAtMs: now - 60_000,
    retryAtMs: now + 60_000,
    parkedCount: 1,
    updatedAtMs: now - 60_000,
    stateJson: null,
  };
}
