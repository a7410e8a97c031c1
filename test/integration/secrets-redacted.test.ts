import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { describe, expect, it } from 'vitest';
import { PermanentPollError, type IntervalPolicy } from 'nestjs-adaptive-polling';
import { AdaptivePollingBullBoardModule } from 'nestjs-adaptive-polling/bull-board';
import { AdaptivePollingPersistenceModule } from 'nestjs-adaptive-polling/persistence';
import { AdaptivePollingPrometheusModule } from 'nestjs-adaptive-polling/prometheus';
import { TargetRegistryService } from '../../libs/adaptive-polling/src/nest/target-registry.service';
import { usePrivateRedis } from '../support/redis-fixture';
import { eventually } from '../support/events';
import { CapturingLogger } from '../support/capturing-logger';
import { startObservedApp } from '../support/observed-app';
import { PollRecorder, fastPolling } from '../support/scripted-app';

const redis = usePrivateRedis();

/** Every secret form a Proxmox or HTTP target carries; each value is unique so a leak names its form. */
const SECRET = {
  userinfo: 'S3CR3T-userinfo',
  queryTicket: 'S3CR3T-query-ticket',
  ticket: 'S3CR3T-ticket-field',
  pass: 'S3CR3T-pass-field',
  password: 'S3CR3T-password-field',
  cookie: 'S3CR3T-cookie-field',
  csrf: 'S3CR3T-csrf-field',
  authorization: 'S3CR3T-authorization-header',
  apiToken: 'S3CR3T-api-token',
  errorTicket: 'S3CR3T-error-ticket',
  errorCookie: 'S3CR3T-error-cookie',
  errorCsrf: 'S3CR3T-error-csrf',
  errorToken: 'S3CR3T-error-token',
  policy: 'S3CR3T-policy-ticket',
};

const CONNECTION = {
  baseUrl: `https://root:${SECRET.userinfo}@pve1.lan:8006/api2/json?ticket=${SECRET.queryTicket}`,
  host: 'pve1.lan',
  ticket: SECRET.ticket,
  pass: SECRET.pass,
  password: SECRET.password,
  PVEAuthCookie: SECRET.cookie,
  CSRFPreventionToken: SECRET.csrf,
  headers: { Authorization: `PVEAPIToken=root@pam!monitor=${SECRET.authorization}`, Accept: 'application/json' },
  apiToken: SECRET.apiToken,
};

/** What an HTTP client's error typically quotes: the URL it called and the headers it sent. */
const FAILURE =
  `GET https://root:${SECRET.userinfo}@pve1.lan:8006/api2/json/nodes?ticket=${SECRET.errorTicket} failed with 401; ` +
  `request headers { Cookie: 'PVEAuthCookie=${SECRET.errorCookie}', CSRFPreventionToken: '${SECRET.errorCsrf}', ` +
  `Authorization: 'PVEAPIToken=root@pam!monitor=${SECRET.errorToken}' }`;

/** A policy whose second call throws with a secret in its message (an engine error, logged). */
function leakyPolicy(): IntervalPolicy {
  let calls = 0;
  return {
    name: 'leaky',
    nextInterval() {
      calls += 1;
      if (calls === 2) throw new Error(`cannot plan https://h/api?ticket=${SECRET.policy}`);
      return { intervalMs: 100, state: null };
    },
  };
}

function leaks(text: string): string[] {
  return Object.entries(SECRET)
    .filter(([, value]) => text.includes(value))
    .map(([form]) => form);
}

describe('secrets never leave the module', () => {
  it('a target with every secret form: none in health, audit rows, logs, Bull Board job data or /metrics', async () => {
    const sqlitePath = join(mkdtempSync(join(tmpdir(), 'ap-secrets-')), 'db.sqlite');
    const queueName = 'secrets-redacted';
    const logger = new CapturingLogger();
    const recorder = new PollRecorder();
    recorder.behaviours.set('secretive', () => {
      throw new PermanentPollError(FAILURE, { statusCode: 401 });
    });
    const app = await startObservedApp(
      recorder,
      {
        redis: redis.url,
        queueName,
        targets: [{ name: 'plain', type: 'scripted' }],
        policies: [leakyPolicy()],
        polling: fastPolling({ policy: 'leaky' }),
      },
      [
        AdaptivePollingPrometheusModule.forRoot(),
        AdaptivePollingPersistenceModule.forRoot({ sqlitePath, flushIntervalMs: 50 }),
        AdaptivePollingBullBoardModule.forRoot(),
      ],
      logger,
    );
    let closed = false;
    try {
      await app.app.get(TargetRegistryService).add({ name: 'secretive', type: 'scripted', connection: CONNECTION });
      const key = 'scripted::secretive';
      await eventually(async () => (await app.engine.snapshot(key))?.state?.deadLetter, `${key} is dead-lettered`);
      await eventually(async () => logger.lines.some((l) => l.includes('cannot plan')), 'the policy error was logged');

      const health = await (await fetch(`${app.url}/api/monitoring/scheduler/health`)).text();
      expect(health).toContain(key);
      expect(health).toContain('pve1.lan');
      expect(leaks(health), health).toEqual([]);

      const boardUrl = `${app.url}/admin/queues/api/queues?activeQueue=${queueName}&status=delayed&page=1`;
      const board = await (await fetch(boardUrl)).text();
      expect(board).toContain(encodeURIComponent(key));
      // The job's state (compact-encoded) carries the last error, redacted.
      expect(board).toContain('failed with 401');
      expect(leaks(board), board).toEqual([]);

      const metrics = await (await fetch(`${app.url}/metrics`)).text();
      expect(metrics).toContain(key);
      expect(leaks(metrics)).toEqual([]);

      await app.close();
      closed = true;
      const db = await new DataSource({ type: 'better-sqlite3', database: sqlitePath }).initialize();
      try {
        const rows = JSON.stringify(await db.query('SELECT * FROM ap_audit_records'));
        expect(rows).toContain('dead_letter.in');
        expect(rows).toContain('target.add');
        expect(leaks(rows), rows).toEqual([]);
      } finally {
        await db.destroy();
      }
      const logs = logger.lines.join('\n');
      expect(logs).toContain('cannot plan');
      expect(leaks(logs), logs).toEqual([]);
    } finally {
      if (!closed) await app.close();
    }
  }, 60_000);
});
