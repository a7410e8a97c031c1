import { describe, expect, it } from 'vitest';
import { closedBreaker } from './breaker';
import { deadLetterAllowsPoll, deadLetterReasonFor, parkTarget, purgeDeadLetter, reparkTarget, retryDeadLetterNow } from './dead-letter';
import { initialTargetState } from './target-state';
import { testPollingOptions } from './testing/fixtures';
import type { DeadLetterState, FailureKind, TargetPollState } from './types';

const options = testPollingOptions();
const NOW = 5_000_000;
const RETRY_DELAY_MS = 30 * 60_000;

const parkedEntry = (overrides: Partial<DeadLetterState> = {}): DeadLetterState => ({
  reason: 'max_retry_attempts',
  enteredAtMs: 1000,
  retryAtMs: NOW,
  failures: 5,
  lastError: 'connect ECONNREFUSED',
  parkedCount: 1,
  ...overrides,
});

describe('dead-letter rules', () => {
  it.each<[FailureKind, number, string | null]>([
    ['transient', 1, null],
    ['transient', 4, null],
    ['transient', 5, 'max_retry_attempts'],
    ['transient', 9, 'max_retry_attempts'],
    ['permanent', 1, 'permanent_failure'],
    ['permanent', 3, 'permanent_failure'],
  ])('%s failure, %i in a row -> %s', (kind, consecutiveFailures, reason) => {
    expect(deadLetterReasonFor(kind, consecutiveFailures, options.deadLetter)).toBe(reason);
  });

  it('parking records reason, error, count and a retry 30 min later', () => {
    const { deadLetter, event } = parkTarget({
      reason: 'permanent_failure',
      consecutiveFailures: 1,
      lastError: '401 Unauthorized',
      now: NOW,
      options: options.deadLetter,
    });
    expect(deadLetter).toEqual({
      reason: 'permanent_failure',
      enteredAtMs: NOW,
      retryAtMs: NOW + RETRY_DELAY_MS,
      failures: 1,
      lastError: '401 Unauthorized',
      parkedCount: 1,
    });
    expect(event).toEqual({
      type: 'dead_letter_in',
      reason: 'permanent_failure',
      retryAtMs: NOW + RETRY_DELAY_MS,
      lastError: '401 Unauthorized',
      atMs: NOW,
    });
  });

  it.each<[string, DeadLetterState['reason'], FailureKind, DeadLetterState['reason']]>([
    ['a transient failure keeps the original reason', 'max_retry_attempts', 'transient', 'max_retry_attempts'],
    ['a transient failure keeps permanent_failure', 'permanent_failure', 'transient', 'permanent_failure'],
    ['a permanent failure makes it permanent_failure', 'max_retry_attempts', 'permanent', 'permanent_failure'],
  ])('re-park after a failed retry: %s', (_name, original, kind, expected) => {
    const { deadLetter, event } = reparkTarget(parkedEntry({ reason: original }), kind, {
      consecutiveFailures: 6,
      lastError: 'again',
      now: NOW,
      options: options.deadLetter,
    });
    expect(deadLetter).toEqual({
      reason: expected,
      enteredAtMs: 1000, // when it first entered
      retryAtMs: NOW + RETRY_DELAY_MS,
      failures: 6,
      lastError: 'again',
      parkedCount: 2,
    });
    expect(event).toMatchObject({ type: 'dead_letter_in', reason: expected, retryAtMs: NOW + RETRY_DELAY_MS });
  });

  it.each([
    { name: 'not parked', entry: null, now: 0, allowed: true },
    { name: 'parked, before the retry time', entry: parkedEntry({ retryAtMs: NOW }), now: NOW - 1, allowed: false },
    { name: 'parked, at the retry time', entry: parkedEntry({ retryAtMs: NOW }), now: NOW, allowed: true },
    { name: 'parked, after the retry time', entry: parkedEntry({ retryAtMs: NOW }), now: NOW + 1, allowed: true },
  ])('deadLetterAllowsPoll: $name -> $allowed', ({ entry, now, allowed }) => {
    expect(deadLetterAllowsPoll(entry, now)).toBe(allowed);
  });
});

describe('dead-letter operator actions', () => {
  const parkedState = (): TargetPollState => ({
    ...initialTargetState(options, 0),
    consecutiveFailures: 5,
    recentFailures: 5,
    breaker: { state: 'open', generation: 3, failures: 5, backoffStep: 4, openedAtMs: NOW - 10, retryAtMs: NOW - 5 },
    deadLetter: parkedEntry({ retryAtMs: NOW + RETRY_DELAY_MS }),
    nextRunAtMs: NOW + RETRY_DELAY_MS,
  });

  it('retry now: the one attempt becomes due now, the target stays parked, no event yet', () => {
    const state = parkedState();
    const step = retryDeadLetterNow(state, NOW);
    expect(step.events).toEqual([]);
    expect(step.state).toEqual({ ...state, deadLetter: { ...state.deadLetter, retryAtMs: NOW }, nextRunAtMs: NOW });
    expect(deadLetterAllowsPoll(step.state.deadLetter, NOW)).toBe(true);
  });

  it('purge: entry removed, counts cleared, breaker closed with a new generation, next run one base interval away', () => {
    const state = parkedState();
    const step = purgeDeadLetter(state, NOW, options);
    expect(step.state).toEqual({
      ...state,
      deadLetter: null,
      consecutiveFailures: 0,
      recentFailures: 0,
      breaker: closedBreaker(4),
      nextRunAtMs: NOW + options.intervals.baseMs,
    });
    expect(step.events).toEqual([
      { type: 'dead_letter_out', reason: 'operator_purge', atMs: NOW },
      { type: 'breaker_transition', from: 'open', to: 'closed', generation: 4, atMs: NOW },
    ]);
  });

  it('both leave a target that is not parked unchanged', () => {
    const state = initialTargetState(options, NOW);
    expect(retryDeadLetterNow(state, NOW)).toEqual({ state, events: [] });
    expect(purgeDeadLetter(state, NOW, options)).toEqual({ state, events: [] });
  });
});
