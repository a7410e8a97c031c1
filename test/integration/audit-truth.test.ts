import { describe, expect, it } from 'vitest';
import { useClosedAfterEach, usePrivateRedis } from '../support/redis-fixture';
import { eventually } from '../support/events';
import { listenForTests, keyPath } from '../support/http-client';
import { PollRecorder, fastPolling, startScriptedApp, type ScriptedApp } from '../support/scripted-app';
import { AuditTrailService } from '../../libs/adaptive-polling/src/nest/audit/audit-trail.service';
import type { AuditRecord } from '../../libs/adaptive-polling/src/nest/audit/audit-record';

const redis = usePrivateRedis();
const apps = useClosedAfterEach<ScriptedApp>();
const TOKEN = 'audit-truth-token';

type Summary = { paused: boolean; breaker: { generation: number } };

describe('an audit trail that tells the truth', () => {
  it('50 concurrent pause/resume/reset requests on one target: the trail replays to the final state, each before/after as applied', async () => {
    const recorder = new PollRecorder();
    const app = await startScriptedApp(recorder, {
      redis: redis.url,
      queueName: 'audit-truth',
      targets: [{ name: 'busy', type: 'scripted' }],
      polling: fastPolling({ minInterval: '1h', baseInterval: '1h', maxInterval: '2h' }),
      api: { token: TOKEN },
    });
    apps.push(app);
    const http = await listenForTests(app.app);
    const audit = app.app.get(AuditTrailService);
    const key = 'scripted::busy';
    const paths = ['pause', 'resume', 'reset'] as const;
    const requests = Array.from({ length: 50 }, (_, i) => paths[i % 3]);
    const responses = await Promise.all(
      requests.map((what) =>
        http.request(
          'POST',
          what === 'reset' ? `/api/monitoring/breakers/${keyPath(key)}/reset` : `/api/monitoring/instances/${keyPath(key)}/${what}`,
          { token: TOKEN },
        ),
      ),
    );
    for (const res of responses) expect([200, 202], res.text).toContain(res.status);
    const resets = requests.filter((r) => r === 'reset').length;
    const ofTarget = (action: AuditRecord['action']) => audit.recent(500).filter((r) => r.target === key && r.action === action);
    // Resets answered 202 are audited when their run applies them.
    await eventually(async () => ofTarget('breaker.reset').length === resets, `${resets} reset records`);

    // Pause and resume: each record starts where the one before it ended, and the last is the registry's state.
    const pauses = audit.recent(500).filter((r) => r.target === key && (r.action === 'target.pause' || r.action === 'target.resume'));
    expect(pauses).toHaveLength(requests.length - resets);
    let paused = false;
    for (const r of pauses) {
      expect((r.before as { paused: boolean }).paused).toBe(paused);
      expect((r.after as { paused: boolean }).paused).toBe(r.action === 'target.pause');
      expect(r.actor).toBe('operator:token');
      paused = (r.after as { paused: boolean }).paused;
    }
    expect((await app.engine.getTarget(key))!.paused).toBe(paused);

    // Resets: each applied to the breaker the previous one left (a new generation each).
    const applied = ofTarget('breaker.reset');
    for (const [i, r] of applied.entries()) {
      const before = r.before as Summary;
      const after = r.after as Summary;
      expect(after.breaker.generation).toBe(before.breaker.generation + 1);
      if (i > 0) expect(before.breaker.generation).toBe((applied[i - 1].after as Summary).breaker.generation);
      expect(r.detail).toMatchObject({ askedAt: expect.any(String), appliedAt: expect.any(String), via: 'api' });
      expect(Date.parse(r.detail.appliedAt as string)).toBeGreaterThanOrEqual(Date.parse(r.detail.askedAt as string));
    }
    await eventually(
      async () => (await app.engine.snapshot(key))?.state?.breaker.generation === (applied.at(-1)!.after as Summary).breaker.generation,
      'the final breaker generation is the last record',
    );
    // A 200 answer carries what was applied: the same as its audit record.
    for (const res of responses.filter((r) => r.status === 200 && r.json.action === 'breaker.reset')) {
      expect(res.json.applied).toBe(true);
      expect(applied.some((r) => (r.after as Summary).breaker.generation === res.json.after.breaker.generation)).toBe(true);
    }
  });

  it('registry changes and programmatic actions are audited with actor code', async () => {
    const recorder = new PollRecorder();
    const app = await startScriptedApp(recorder, {
      redis: redis.url,
      queueName: 'audit-code',
      targets: [{ name: 'static', type: 'scripted' }],
      polling: fastPolling({ minInterval: '1h', baseInterval: '1h', maxInterval: '2h' }),
    });
    apps.push(app);
    const audit = app.app.get(AuditTrailService);
    await app.engine.addTarget({ name: 'late', type: 'scripted' });
    await app.engine.updateTarget('scripted::late', { displayName: 'Late one' });
    await app.engine.setPaused('scripted::late', true);
    await app.engine.applyAction('scripted::late', 'reset_breaker');
    await app.engine.removeTarget('scripted::late');
    await app.engine.applyAction('scripted::static', 'reset_breaker');
    await eventually(
      async () => audit.recent(500).some((r) => r.action === 'breaker.reset' && r.target === 'scripted::static'),
      'reset applied',
    );
    const byCode = audit
      .recent(500)
      .filter((r) => r.actor === 'code')
      .map((r) => `${r.action} ${r.target}`);
    expect(byCode).toEqual(
      expect.arrayContaining([
        'target.add scripted::late',
        'target.update scripted::late',
        'target.pause scripted::late',
        'target.remove scripted::late',
        'breaker.reset scripted::static',
      ]),
    );
  });
});
