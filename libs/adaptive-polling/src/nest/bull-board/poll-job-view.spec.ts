import { describe, expect, it } from 'vitest';
import { initialTargetState } from '../../core/target-state';
import { testPollingOptions } from '../../core/testing/fixtures';
import type { TargetPollState } from '../../core/types';
import { encodeJobData } from '../../engine/job-state-codec';
import { PAUSED_DELAY_MS } from '../../engine/poll-processor';
import { pollJobDataFormatter, pollJobView } from './poll-job-view';

const T0 = 1_795_433_627_028;
const iso = (ms: number) => new Date(ms).toISOString();

function polledState(overrides: Partial<TargetPollState> = {}): TargetPollState {
  return {
    ...initialTargetState(testPollingOptions(), T0),
    lastPollAtMs: T0,
    lastSuccessAtMs: T0,
    lastChangeAtMs: T0 - 90_000,
    lastResultHash: '2be88ca4242c76e8253ac62474851065032d6833',
    intervalMs: 90_000,
    nextRunAtMs: T0 + 90_000,
    totals: { polls: 12, failures: 3, changes: 4 },
    ...overrides,
  };
}

/** The job data as Bull Board reads it: the engine's compact form, through JSON. */
function stored(key: string, dueAtMs: number, state: TargetPollState | null): unknown {
  return JSON.parse(JSON.stringify(encodeJobData(key, dueAtMs, state)));
}

function arraysIn(value: unknown): number {
  if (Array.isArray(value)) return 1;
  if (value && typeof value === 'object') return Object.values(value).reduce<number>((n, v) => n + arraysIn(v), 0);
  return 0;
}

describe('pollJobView', () => {
  it('decodes the compact state into named fields with ISO times', () => {
    const data = stored('pve::a', T0 + 90_000, polledState());
    expect(Array.isArray((data as { state: unknown }).state)).toBe(true);
    const view = pollJobView(data, T0);
    expect(view).toEqual({
      target: 'pve::a',
      dueAt: iso(T0 + 90_000),
      paused: false,
      state: {
        interval: '1m30s',
        intervalMs: 90_000,
        nextRunAt: iso(T0 + 90_000),
        lastPollAt: iso(T0),
        lastSuccessAt: iso(T0),
        lastChangeAt: iso(T0 - 90_000),
        consecutiveFailures: 0,
        recentFailures: 0,
        lastError: null,
        breaker: { state: 'closed', failures: 0, generation: 0, backoffStep: 0, openedAt: null, retryAt: null },
        deadLetter: null,
        totals: { polls: 12, failures: 3, changes: 4 },
        policyState: null,
      },
    });
    expect(arraysIn(view)).toBe(0);
  });

  it('shows a failing, parked target: breaker, dead letter and last error, secrets redacted', () => {
    const message = 'HTTP 401 from https://root:hunter2@pve.example/api2/json?password=s3cr3t&x=1';
    const state = polledState({
      consecutiveFailures: 3,
      recentFailures: 2.5,
      lastError: { message, kind: 'permanent', category: 'auth', atMs: T0 },
      breaker: { state: 'open', generation: 4, failures: 3, backoffStep: 2, openedAtMs: T0 - 1_000, retryAtMs: T0 + 20_000 },
      deadLetter: {
        reason: 'permanent_failure',
        enteredAtMs: T0,
        retryAtMs: T0 + 1_800_000,
        failures: 3,
        lastError: message,
        parkedCount: 1,
      },
      policyState: { ema: 12_000, apiToken: 'tok-should-not-show', note: 'https://u:p4ss@h/x' },
      nextRunAtMs: T0 + 1_800_000,
    });
    const view = pollJobView(stored('pve::b', T0 + 1_800_000, state), T0);
    const text = JSON.stringify(view);
    for (const secret of ['hunter2', 's3cr3t', 'tok-should-not-show', 'p4ss']) expect(text).not.toContain(secret);
    expect(view).toMatchObject({
      paused: false,
      state: {
        consecutiveFailures: 3,
        recentFailures: 2.5,
        lastError: { kind: 'permanent', category: 'auth', at: iso(T0), message: expect.stringContaining('https://***@pve.example') },
        breaker: { state: 'open', failures: 3, generation: 4, openedAt: iso(T0 - 1_000), retryAt: iso(T0 + 20_000) },
        deadLetter: {
          reason: 'permanent_failure',
          enteredAt: iso(T0),
          retryAt: iso(T0 + 1_800_000),
          failures: 3,
          parkedCount: 1,
          lastError: expect.stringContaining('password=***'),
        },
        policyState: { ema: 12_000, note: 'https://***@h/x' },
      },
    });
  });

  it('tells a paused target by its far-off due time, with the clock given', () => {
    const dueAtMs = T0 + PAUSED_DELAY_MS;
    expect(pollJobView(stored('pve::p', dueAtMs, null), T0)).toEqual({ target: 'pve::p', dueAt: iso(dueAtMs), paused: true, state: null });
    const format = pollJobDataFormatter(() => T0 + PAUSED_DELAY_MS);
    expect(format(stored('pve::p', dueAtMs, null))).toMatchObject({ paused: false });
  });

  it('reads the object form older versions wrote, and marks a state it cannot read', () => {
    const objectForm = { key: 'pve::old', dueAtMs: T0, state: polledState() };
    expect(pollJobView(JSON.parse(JSON.stringify(objectForm)), T0)).toMatchObject({ state: { interval: '1m30s', totals: { polls: 12 } } });
    expect(pollJobView({ key: 'pve::bad', dueAtMs: T0, state: [1, 'garbage'] }, T0)).toEqual({
      target: 'pve::bad',
      dueAt: iso(T0),
      paused: false,
      state: null,
      unreadable: true,
    });
  });

  it('shows data that is not a poll job through the redaction, never raw', () => {
    expect(pollJobView({ url: 'https://a:b@h', password: 'x', n: 1 }, T0)).toEqual({ url: 'https://***@h', n: 1 });
    expect(pollJobView('text', T0)).toEqual({});
    expect(pollJobView(null, T0)).toEqual({});
  });
});
