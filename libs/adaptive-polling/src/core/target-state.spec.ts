import { describe, expect, it } from 'vitest';
import { initialTargetState, isTargetPollState } from './target-state';
import { testPollingOptions } from './testing/fixtures';
import type { TargetPollState } from './types';

const options = testPollingOptions();

const busyState = (): TargetPollState => ({
  ...initialTargetState(options, 1000),
  lastPollAtMs: 2000,
  lastSuccessAtMs: 1500,
  lastChangeAtMs: 1500,
  lastResultHash: 'abc',
  lastError: { message: 'boom', kind: 'transient', category: 'network', atMs: 2000 },
  consecutiveFailures: 1,
  recentFailures: 1.5,
  breaker: { state: 'open', generation: 2, failures: 3, backoffStep: 3, openedAtMs: 2000, retryAtMs: 22_000 },
  deadLetter: { reason: 'permanent_failure', enteredAtMs: 2000, retryAtMs: 9000, failures: 1, lastError: 'x', parkedCount: 1 },
  policyState: { smoothedMs: 7000 },
  intervalMs: 7000,
  nextRunAtMs: 9000,
  totals: { polls: 3, failures: 1, changes: 1 },
});

describe('initialTargetState', () => {
  it('is due now, closed at generation 0, with nothing learned', () => {
    expect(initialTargetState(options, 1234)).toEqual({
      version: 1,
      lastPollAtMs: null,
      lastSuccessAtMs: null,
      lastChangeAtMs: null,
      lastResultHash: null,
      lastError: null,
      consecutiveFailures: 0,
      recentFailures: 0,
      breaker: { state: 'closed', generation: 0, failures: 0, backoffStep: 0, openedAtMs: null, retryAtMs: null },
      deadLetter: null,
      policyState: null,
      intervalMs: null,
      nextRunAtMs: 1234,
      totals: { polls: 0, failures: 0, changes: 0 },
    });
  });
});

describe('isTargetPollState', () => {
  it('accepts a fresh and a busy state, also after a JSON round trip', () => {
    for (const state of [initialTargetState(options, 0), busyState()]) {
      expect(isTargetPollState(state)).toBe(true);
      expect(isTargetPollState(JSON.parse(JSON.stringify(state)))).toBe(true);
    }
  });

  const corrupt: Array<[string, (s: Record<string, unknown>) => unknown]> = [
    ['null', () => null],
    ['an array', () => []],
    ['another version', (s) => ({ ...s, version: 2 })],
    ['a missing field', (s) => ({ ...s, totals: undefined })],
    ['a string time', (s) => ({ ...s, lastPollAtMs: '2000' })],
    ['a negative count', (s) => ({ ...s, consecutiveFailures: -1 })],
    ['NaN failures', (s) => ({ ...s, recentFailures: Number.NaN })],
    ['an unknown breaker state', (s) => ({ ...s, breaker: { ...(s['breaker'] as object), state: 'ajar' } })],
    ['a breaker without generation', (s) => ({ ...s, breaker: { ...(s['breaker'] as object), generation: undefined } })],
    ['an unknown dead-letter reason', (s) => ({ ...s, deadLetter: { ...(s['deadLetter'] as object), reason: 'bored' } })],
    ['a last error of unknown kind', (s) => ({ ...s, lastError: { ...(s['lastError'] as object), kind: 'fatal' } })],
    ['a policy state that is an array', (s) => ({ ...s, policyState: [1] })],
    ['a non-numeric total', (s) => ({ ...s, totals: { polls: 1, failures: 'x', changes: 0 } })],
  ];
  it.each(corrupt)('rejects %s', (_name, mutate) => {
    expect(isTargetPollState(mutate(busyState() as unknown as Record<string, unknown>))).toBe(false);
  });
});
