import { describe, expect, it } from 'vitest';
import { resolvePollingOptions } from '../../core/options';
import { normaliseTarget, type TargetInput } from '../../core/target';
import { initialTargetState } from '../../core/target-state';
import type { TargetPollState } from '../../core/types';
import { testPollingOptions } from '../../core/testing/fixtures';
import type { TargetSnapshot } from '../../engine/polling-engine';
import {
  buildSchedulerHealth,
  DEFAULT_HEALTH_PAGE,
  isoOrNull,
  MAX_HEALTH_PAGE_LIMIT,
  schedulerHealthPage,
  STALENESS_LIST_LIMIT,
  summarizeSchedulerFleet,
} from './scheduler-health.builder';
import { SchedulerHealthText } from './scheduler-health.json';

const NOW = Date.parse('2026-11-23T12:00:00.000Z');
const MINUTE = 60_000;
const polling = resolvePollingOptions({ env: {}, code: { types: { pbs: { maxInterval: '1m', baseInterval: '10s' } } } });
const options = { polling };

function state(patch: Partial<TargetPollState> = {}): TargetPollState {
  return { ...initialTargetState(testPollingOptions(), NOW - 10 * MINUTE), nextRunAtMs: NOW + 5_000, ...patch };
}

function snap(
  input: Partial<TargetInput> & { name: string },
  s: TargetPollState | null,
  extra: Partial<Pick<TargetSnapshot, 'running' | 'scheduled'>> = {},
): TargetSnapshot {
  return {
    definition: normaliseTarget({ type: 'pve', ...input }),
    state: s,
    running: extra.running ?? false,
    scheduled: extra.scheduled ?? true,
  };
}

function parked(retryAtMs: number, failures = 5): TargetPollState {
  return state({
    consecutiveFailures: failures,
    lastError: { message: 'connect ECONNREFUSED', kind: 'transient', category: 'network', atMs: NOW - MINUTE },
    deadLetter: {
      reason: 'max_retry_attempts',
      enteredAtMs: NOW - MINUTE,
      retryAtMs,
      failures,
      lastError: 'GET https://root:hunter2@pve.example/api2 failed: connect ECONNREFUSED',
      parkedCount: 1,
    },
    nextRunAtMs: retryAtMs,
  });
}

describe('buildSchedulerHealth', () => {
  it('lists the stalest targets only: highest score first, then the oldest success (never first), then by key', () => {
    // 150 targets: 2 never succeeded, the rest succeeded i seconds ago (pve's max interval is far longer).
    const snaps = Array.from({ length: 148 }, (_, i) =>
      snap({ name: `n${String(i).padStart(3, '0')}` }, state({ lastSuccessAtMs: NOW - (i + 1) * 1000 })),
    );
    snaps.push(snap({ name: 'never-b' }, null), snap({ name: 'never-a' }, state({ lastSuccessAtMs: null })));
    const { staleness } = buildSchedulerHealth(snaps, NOW, options);
    expect(staleness).toHaveLength(STALENESS_LIST_LIMIT);
    expect(staleness.slice(0, 3).map((s) => s.key)).toEqual(['pve::never-a', 'pve::never-b', 'pve::n147']);
    expect(staleness.at(-1)!.key).toBe(`pve::n${String(148 - (STALENESS_LIST_LIMIT - 2)).padStart(3, '0')}`);
    const scores = staleness.map((s) => s.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it('gives an empty fleet empty collections, not nulls', () => {
    const health = buildSchedulerHealth([], NOW, options);
    expect(health).toEqual({
      updatedAt: '2026-11-23T12:00:00.000Z',
      enabled: true,
      queue: { depth: 0, dueWithinSeconds: 0, perType: {} },
      deadLetter: { count: 0, tasks: [] },
      breakers: [],
      staleness: [],
      instances: [],
      page: { offset: 0, limit: MAX_HEALTH_PAGE_LIMIT, total: 0 },
    });
  });

  it('shows a never-polled target with null times (never a zero date) and default sub-objects', () => {
    const health = buildSchedulerHealth([snap({ name: 'fresh' }, null)], NOW, options);
    const [instance] = health.instances;
    expect(instance).toMatchObject({
      key: 'pve::fresh',
      type: 'pve',
      instance: 'fresh',
      displayName: 'fresh',
      connection: {},
      currentIntervalMs: null,
      nextRun: null,
      paused: false,
      running: false,
      scheduled: true,
      pollStatus: {
        lastPoll: null,
        lastSuccess: null,
        lastChange: null,
        lastError: null,
        consecutiveFailures: 0,
        stalenessScore: 1,
        totals: { polls: 0, failures: 0, changes: 0 },
      },
      breaker: { state: 'closed', failures: 0, generation: 0, openedAt: null, retryAt: null },
      deadLetter: {
        present: false,
        reason: null,
        enteredAt: null,
        retryAt: null,
        failures: 0,
        lastError: null,
        parkedCount: 0,
      },
      warnings: ['not polled yet'],
    });
    expect(health.staleness).toEqual([{ instance: 'fresh', type: 'pve', key: 'pve::fresh', score: 1, lastSuccess: null, lastError: null }]);
    expect(JSON.stringify(health)).not.toContain('1970-');
  });

  it('treats a zero or missing time as absent', () => {
    expect(isoOrNull(0)).toBeNull();
    expect(isoOrNull(null)).toBeNull();
    expect(isoOrNull(undefined)).toBeNull();
    expect(isoOrNull(Number.NaN)).toBeNull();
    expect(isoOrNull(NOW)).toBe('2026-11-23T12:00:00.000Z');
  });

  it('sorts instances, staleness and breakers by key whatever the input order', () => {
    const failing = state({ consecutiveFailures: 1, breaker: { ...state().breaker, failures: 1 } });
    const snaps = [
      snap({ name: 'zeta' }, failing),
      snap({ name: 'alpha', type: 'pbs' }, failing),
      snap({ name: 'mid' }, state()),
      snap({ name: 'beta' }, failing),
    ];
    const health = buildSchedulerHealth(snaps, NOW, options);
    const keys = ['pbs::alpha', 'pve::beta', 'pve::mid', 'pve::zeta'];
    expect(health.instances.map((i) => i.key)).toEqual(keys);
    expect(health.staleness.map((s) => s.key)).toEqual(keys);
    expect(health.breakers.map((b) => b.key)).toEqual(['pbs::alpha', 'pve::beta', 'pve::zeta']);
    expect(Object.keys(health.queue.perType)).toEqual(['pbs', 'pve']);
  });

  it('lists breakers that are open or have failures, not quiet closed ones', () => {
    const open = state({
      consecutiveFailures: 3,
      breaker: { state: 'open', generation: 1, failures: 3, backoffStep: 1, openedAtMs: NOW - 1000, retryAtMs: NOW + 4000 },
    });
    const health = buildSchedulerHealth([snap({ name: 'a' }, open), snap({ name: 'b' }, state())], NOW, options);
    expect(health.breakers).toEqual([
      { instance: 'a', type: 'pve', key: 'pve::a', state: 'open', failures: 3, retryAt: '2026-11-23T12:00:04.000Z' },
    ]);
    expect(health.instances[0].warnings).toEqual(['circuit breaker open after 3 consecutive failures; probe at 2026-11-23T12:00:04.000Z']);
    expect(health.instances[1].warnings).toEqual([]);
  });

  it('lists at most 25 dead-letter tasks, soonest retry first, and counts them all', () => {
    const snaps = Array.from({ length: 30 }, (_, i) =>
      // names in an order unrelated to retry times; two share a retry time
      snap({ name: `t${String((i * 7) % 30).padStart(2, '0')}` }, parked(NOW + (i === 29 ? 0 : i) * 1000)),
    );
    const health = buildSchedulerHealth(snaps, NOW, options);
    expect(health.deadLetter.count).toBe(30);
    expect(health.deadLetter.tasks).toHaveLength(25);
    const times = health.deadLetter.tasks.map((t) => Date.parse(t.nextRun));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    // equal retry times are ordered by key
    expect(health.deadLetter.tasks[0].nextRun).toBe(health.deadLetter.tasks[1].nextRun);
    expect(health.deadLetter.tasks[0].key < health.deadLetter.tasks[1].key).toBe(true);
    expect(health.deadLetter.tasks[0]).toMatchObject({
      type: 'pve',
      failures: 5,
      reason: 'max_retry_attempts',
      lastError: 'GET https://***@pve.example/api2 failed: connect ECONNREFUSED',
    });
    // parked targets are not in the queue depth
    expect(health.queue.depth).toBe(0);
  });

  it('counts depth, due-within-12 s and per-type over scheduled, unpaused, not parked targets', () => {
    const snaps = [
      snap({ name: 'due-now' }, state({ nextRunAtMs: NOW - 1000 })),
      snap({ name: 'due-soon' }, state({ nextRunAtMs: NOW + 11_000 })),
      snap({ name: 'later' }, state({ nextRunAtMs: NOW + 13_000 })),
      snap({ name: 'running' }, state({ nextRunAtMs: NOW - 500 }), { running: true }),
      snap({ name: 'b1', type: 'pbs' }, state({ nextRunAtMs: NOW + 5000 })),
      snap({ name: 'paused', paused: true }, state({ nextRunAtMs: NOW })),
      snap({ name: 'unscheduled' }, null, { scheduled: false }),
      snap({ name: 'parked' }, parked(NOW + 1000)),
    ];
    const health = buildSchedulerHealth(snaps, NOW, options);
    expect(health.queue).toEqual({ depth: 5, dueWithinSeconds: 3, perType: { pbs: 1, pve: 4 } });
    const byKey = new Map(health.instances.map((i) => [i.key, i]));
    expect(byKey.get('pve::paused')!.warnings).toEqual(['paused: not polled until resumed']);
    expect(byKey.get('pve::unscheduled')!.warnings).toEqual(['no poll job in Redis: the schedule is being rebuilt']);
  });

  it('scores staleness against each type’s max interval and warns past twice the max', () => {
    const lastSuccessAtMs = NOW - 3 * MINUTE;
    const snaps = [
      snap({ name: 'b', type: 'pbs' }, state({ lastSuccessAtMs, nextRunAtMs: NOW + 1000 })), // pbs max 1 min
      snap({ name: 'v' }, state({ lastSuccessAtMs, nextRunAtMs: NOW + 1000 })), // default max 5 min
    ];
    const health = buildSchedulerHealth(snaps, NOW, options);
    expect(health.staleness.map((s) => [s.key, s.score])).toEqual([
      ['pbs::b', 1],
      ['pve::v', 0.6],
    ]);
    expect(health.instances[0].warnings).toEqual(['stale: last success 180 s ago, more than twice the max interval']);
    expect(health.instances[1].warnings).toEqual([]);
    expect(health.staleness[0].lastSuccess).toBe('2026-11-23T11:57:00.000Z');
  });

  it('never shows connection secrets: secret-named fields dropped, URL credentials masked', () => {
    const target = snap(
      {
        name: 'secretive',
        connection: {
          baseUrl: 'https://admin:hunter2@pve.example:8006/api2/json?ticket=abc&token=t0ps3cret',
          host: 'pve.example',
          port: 8006,
          verifyTls: true,
          token: 'PVEAPIToken=root@pam!ci=11111111-2222',
          password: 'p4ssw0rd',
          apiKey: 'k-123456',
          tokenSecret: 'uuid-secret',
          private_key: '-----BEGIN KEY-----',
          headers: { Authorization: 'Bearer abcdefghijkl', Accept: 'application/json' },
          nested: { clientSecret: 'cs', realm: 'pam' },
          buffer: Buffer.from('raw'),
          ticket: 'PVE:root@pam:65A1::sig',
          pass: 'hunter3',
          PVEAuthCookie: 'PVE:cookie',
          CSRFPreventionToken: '65A1:csrf',
        },
      },
      state(),
    );
    const health = buildSchedulerHealth([target], NOW, options);
    expect(health.instances[0].connection).toEqual({
      baseUrl: 'https://***@pve.example:8006/api2/json?ticket=***&token=***',
      headers: { Accept: 'application/json' },
      host: 'pve.example',
      nested: { realm: 'pam' },
      port: 8006,
      verifyTls: true,
    });
    const text = JSON.stringify(health);
    for (const secret of [
      'hunter2',
      't0ps3cret',
      'PVEAPIToken',
      'p4ssw0rd',
      'k-123456',
      'uuid-secret',
      'BEGIN KEY',
      'abcdefghijkl',
      'cs"',
    ]) {
      expect(text).not.toContain(secret);
    }
  });

  it('redacts secrets quoted in error messages', () => {
    const s = state({
      consecutiveFailures: 1,
      lastError: { message: 'HTTP 401 for https://u:pw@h/x?password=pw2', kind: 'permanent', category: 'auth', atMs: NOW - 1000 },
    });
    const health = buildSchedulerHealth([snap({ name: 'x' }, s)], NOW, options);
    expect(health.instances[0].pollStatus.lastError).toEqual({
      at: '2026-11-23T11:59:59.000Z',
      message: 'HTTP 401 for https://***@h/x?password=***',
      kind: 'permanent',
      category: 'auth',
    });
    expect(health.staleness[0].lastError).toBe('2026-11-23T11:59:59.000Z');
  });

  it('adds replicas and persistence only when their providers are present', () => {
    const without = buildSchedulerHealth([], NOW, options);
    expect('replicas' in without).toBe(false);
    expect('persistence' in without).toBe(false);
    const withExtras = buildSchedulerHealth([], NOW, options, {
      replicas: [
        { id: 'r2', status: 'alive', lastHeartbeatAtMs: NOW, startedAtMs: null, workerRunning: false },
        { id: 'r1', status: 'crashed', lastHeartbeatAtMs: 0, startedAtMs: NOW - MINUTE, workerRunning: null },
      ],
      persistence: { up: false, pendingWrites: 3, lastErrorAtMs: NOW, lastError: 'connect to postgres://app:dbpass@db failed' },
    });
    expect(withExtras.replicas).toEqual([
      { id: 'r1', status: 'crashed', lastHeartbeat: null, startedAt: '2026-11-23T11:59:00.000Z', workerRunning: null },
      { id: 'r2', status: 'alive', lastHeartbeat: '2026-11-23T12:00:00.000Z', startedAt: null, workerRunning: false },
    ]);
    expect(withExtras.persistence).toEqual({
      up: false,
      pendingWrites: 3,
      lastErrorAt: '2026-11-23T12:00:00.000Z',
      lastError: 'connect to postgres://***@db failed',
    });
  });

  // Speed is measured by the bench (healthP95Ms10k), not asserted here.
  it('builds a 10,000-target fleet: every instance, the top 25 dead letters, no secret', () => {
    const snaps = Array.from({ length: 10_000 }, (_, i) =>
      snap(
        { name: `t${i}`, connection: { baseUrl: `https://10.0.${i % 250}.1:8006`, token: 'secret' } },
        i % 100 === 0 ? parked(NOW + i) : state({ lastSuccessAtMs: NOW - i, nextRunAtMs: NOW + (i % 30) * 1000 }),
      ),
    );
    const health = buildSchedulerHealth(snaps, NOW, options);
    expect(health.instances).toHaveLength(10_000);
    expect(health.deadLetter.count).toBe(100);
    expect(health.deadLetter.tasks).toHaveLength(25);
    expect(JSON.stringify(health)).not.toContain('secret');
  });
});

describe('pages of instances[]', () => {
  const names = ['delta', 'alpha', 'echo', 'charlie', 'bravo'];
  const failing = state({ consecutiveFailures: 1, breaker: { ...state().breaker, failures: 1 } });
  const fleetSnaps = names.map((name, i) => snap({ name }, i % 2 === 0 ? failing : parked(NOW + i * 1000)));
  const sortedKeys = ['pve::alpha', 'pve::bravo', 'pve::charlie', 'pve::delta', 'pve::echo'];

  it('cuts offset/limit out of the key-sorted list and says so in page', () => {
    const fleet = summarizeSchedulerFleet(fleetSnaps, NOW, options);
    const middle = schedulerHealthPage(fleet, { offset: 1, limit: 2 });
    expect(middle.instances.map((i) => i.key)).toEqual(['pve::bravo', 'pve::charlie']);
    expect(middle.page).toEqual({ offset: 1, limit: 2, total: 5 });
    const end = schedulerHealthPage(fleet, { offset: 4, limit: 10 });
    expect(end.instances.map((i) => i.key)).toEqual(['pve::echo']);
    expect(schedulerHealthPage(fleet, { offset: 5, limit: 10 }).instances).toEqual([]);
    expect(schedulerHealthPage(fleet, { offset: 0, limit: 0 }).instances).toEqual([]);
    // Paged entries are the same as in the whole document.
    const whole = buildSchedulerHealth(fleetSnaps, NOW, options);
    expect(whole.instances.map((i) => i.key)).toEqual(sortedKeys);
    expect(middle.instances).toEqual(whole.instances.slice(1, 3));
  });

  it('keeps every other section over the whole fleet, whatever the page', () => {
    const whole = buildSchedulerHealth(fleetSnaps, NOW, options);
    const none = buildSchedulerHealth(fleetSnaps, NOW, options, {}, { offset: 0, limit: 0 });
    const { instances: _a, page: _p, ...wholeSections } = whole;
    const { instances: _b, page: _q, ...pagedSections } = none;
    expect(pagedSections).toEqual(wholeSections);
    expect(none.staleness.map((s) => s.key)).toEqual(sortedKeys);
    expect(none.deadLetter.count).toBe(2);
    expect(none.breakers.map((b) => b.key)).toEqual(['pve::bravo', 'pve::delta', 'pve::echo']);
    expect(Object.keys(none)).toEqual(['updatedAt', 'enabled', 'queue', 'deadLetter', 'breakers', 'staleness', 'instances', 'page']);
  });

  it('builds instance entries only for the requested page', () => {
    const summarized: unknown[] = [];
    const counting = {
      polling,
      summarizeConnection: (connection: Record<string, unknown>) => {
        summarized.push(connection);
        return {};
      },
    };
    const fleet = summarizeSchedulerFleet(fleetSnaps, NOW, counting);
    expect(summarized).toHaveLength(0);
    schedulerHealthPage(fleet, { offset: 3, limit: 500 });
    expect(summarized).toHaveLength(2);
  });

  it('serialises a page to exactly the JSON of the document, with and without extras', () => {
    const extras = {
      replicas: [{ id: 'r1', status: 'alive' as const, lastHeartbeatAtMs: NOW, startedAtMs: NOW - MINUTE }],
      persistence: { up: true, pendingWrites: 0, lastErrorAtMs: null, lastError: null },
    };
    for (const withExtras of [{}, extras, { replicasError: 'WRONGTYPE Operation against a key', persistence: extras.persistence }]) {
      const fleet = summarizeSchedulerFleet(fleetSnaps, NOW, options, withExtras);
      const text = new SchedulerHealthText(fleet);
      for (const page of [DEFAULT_HEALTH_PAGE, { offset: 2, limit: 1 }, { offset: 9, limit: 0 }]) {
        expect(text.page(page)).toBe(JSON.stringify(schedulerHealthPage(fleet, page)));
      }
    }
    const empty = summarizeSchedulerFleet([], NOW, options);
    expect(JSON.parse(new SchedulerHealthText(empty).page(DEFAULT_HEALTH_PAGE))).toEqual(schedulerHealthPage(empty, DEFAULT_HEALTH_PAGE));
  });
});
