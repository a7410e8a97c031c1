import { describe, expect, it } from 'vitest';
import type { InstanceHealth } from '../api/scheduler-health.types';
import { consoleState, fleetPage, fleetQueryOf, fleetRow, rowSignature, summarize, type FleetRow } from './console-fleet';

function instance(overrides: Partial<InstanceHealth> = {}, status: Partial<InstanceHealth['pollStatus']> = {}): InstanceHealth {
  return {
    key: 'pve::a',
    type: 'pve',
    displayName: 'A',
    instance: 'a',
    connection: {},
    pollStatus: {
      lastPoll: null,
      lastSuccess: null,
      lastChange: null,
      lastError: null,
      consecutiveFailures: 0,
      stalenessScore: 0,
      totals: { polls: 0, failures: 0, changes: 0 },
      ...status,
    },
    breaker: { state: 'closed', failures: 0, generation: 0, openedAt: null, retryAt: null },
    deadLetter: { present: false, reason: null, enteredAt: null, retryAt: null, failures: 0, lastError: null, parkedCount: 0 },
    warnings: [],
    currentIntervalMs: 30_000,
    nextRun: '2026-01-01T00:00:30.000Z',
    paused: false,
    running: false,
    scheduled: true,
    ...overrides,
  };
}

const dead = {
  present: true,
  reason: 'permanent_failure',
  enteredAt: null,
  retryAt: null,
  failures: 1,
  lastError: 'x',
  parkedCount: 1,
} as const;
const open = { state: 'open', failures: 3, generation: 1, openedAt: null, retryAt: null } as const;

describe('consoleState', () => {
  it('shows the most urgent state: paused, dead-lettered, breaker open, backing off, polling', () => {
    expect(consoleState(instance({ paused: true, deadLetter: dead, breaker: open }))).toBe('paused');
    expect(consoleState(instance({ deadLetter: dead, breaker: open }))).toBe('dead_lettered');
    expect(consoleState(instance({ breaker: open }))).toBe('breaker_open');
    expect(consoleState(instance({ breaker: { ...open, state: 'half_open' } }))).toBe('backing_off');
    expect(consoleState(instance({}, { consecutiveFailures: 1 }))).toBe('backing_off');
    expect(consoleState(instance())).toBe('polling');
  });

  it('a paused row has no next run; the last error falls back to the dead-letter entry', () => {
    expect(fleetRow(instance({ paused: true })).nextRun).toBeNull();
    expect(fleetRow(instance({ deadLetter: dead })).lastError).toBe('x');
  });

  it('the staleness score alone does not make a row changed', () => {
    const a = fleetRow(instance({}, { stalenessScore: 0.1 }));
    expect(rowSignature(a)).toBe(rowSignature(fleetRow(instance({}, { stalenessScore: 0.5 }))));
    expect(rowSignature(a)).not.toBe(rowSignature(fleetRow(instance({ breaker: open }))));
  });
});

describe('fleetPage', () => {
  const rows: FleetRow[] = [];
  for (let i = 0; i < 250; i++) {
    const type = i % 2 ? 'pbs' : 'pve';
    rows.push(fleetRow(instance({ key: `${type}::n${i}`, type, instance: `n${i}`, displayName: `Node ${i}`, paused: i % 50 === 0 })));
  }
  const query = fleetQueryOf(new URLSearchParams());

  it('cuts one page of the whole fleet; the summary counts every row', () => {
    const page = fleetPage(rows, query);
    expect(page.rows).toHaveLength(100);
    expect(page.matching).toBe(250);
    expect(page.summary).toEqual({
      total: 250,
      states: { polling: 245, backing_off: 0, breaker_open: 0, dead_lettered: 0, paused: 5 },
      types: ['pbs', 'pve'],
    });
    expect(fleetPage(rows, { ...query, offset: 200 }).rows).toHaveLength(50);
  });

  it('filters by type, state and a case-insensitive part of the name or display name', () => {
    expect(fleetPage(rows, { ...query, type: 'pbs' }).matching).toBe(125);
    expect(fleetPage(rows, { ...query, state: 'paused' }).rows.map((r) => r.name)).toEqual(['n0', 'n50', 'n100', 'n150', 'n200']);
    expect(fleetPage(rows, { ...query, search: 'NODE 24' }).rows.map((r) => r.name)).toEqual([
      'n24',
      'n240',
      'n241',
      'n242',
      'n243',
      'n244',
      'n245',
      'n246',
      'n247',
      'n248',
      'n249',
    ]);
    expect(fleetPage(rows, { ...query, type: 'pve', state: 'paused', search: 'n1' }).rows.map((r) => r.name)).toEqual(['n100', 'n150']);
  });

  it('reads the query from the URL, ignoring what it cannot use', () => {
    expect(fleetQueryOf(new URLSearchParams('type=pve&state=paused&q=%20ab%20&offset=100&limit=50'))).toEqual({
      type: 'pve',
      state: 'paused',
      search: 'ab',
      offset: 100,
      limit: 50,
    });
    expect(fleetQueryOf(new URLSearchParams('state=nope&offset=-1&limit=100000'))).toEqual({
      type: null,
      state: null,
      search: null,
      offset: 0,
      limit: 500,
    });
    expect(summarize([]).total).toBe(0);
  });
});
