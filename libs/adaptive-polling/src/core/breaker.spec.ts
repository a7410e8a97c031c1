import { describe, expect, it } from 'vitest';
import {
  breakerAllowsPoll,
  closedBreaker,
  recordBreakerFailure,
  recordBreakerSuccess,
  resetBreaker,
  resetTargetBreaker,
  startBreakerProbe,
  type BreakerFailureContext,
} from './breaker';
import { initialTargetState } from './target-state';
import { testPollingOptions } from './testing/fixtures';
import { constantRandom } from './testing/seeded-random';
import type { BreakerState } from './types';

const options = testPollingOptions();
const NOW = 1_000_000;

/** No jitter (random 0.5), normal series: 5, 10, 20, 40 s ... */
function ctx(now = NOW): BreakerFailureContext {
  return { now, breaker: options.breaker, backoff: options.backoff, maxIntervalMs: options.intervals.maxMs, random: constantRandom(0.5) };
}

const breaker = (overrides: Partial<BreakerState>): BreakerState => ({ ...closedBreaker(), ...overrides });

describe('breaker transitions', () => {
  it.each([
    {
      name: 'closed, 1st failure: counts, stays closed',
      from: breaker({ failures: 0 }),
      to: breaker({ failures: 1 }),
      transition: null,
    },
    {
      name: 'closed, 2nd failure: counts, stays closed',
      from: breaker({ failures: 1, generation: 4 }),
      to: breaker({ failures: 2, generation: 4 }),
      transition: null,
    },
    {
      name: 'closed, 3rd failure: opens; the window continues the retry series (step 2 = 20 s)',
      from: breaker({ failures: 2, generation: 4 }),
      to: breaker({ state: 'open', failures: 3, generation: 5, backoffStep: 3, openedAtMs: NOW, retryAtMs: NOW + 20_000 }),
      transition: { from: 'closed', to: 'open' },
    },
    {
      name: 'half_open, probe failed: reopens with the next, longer window (40 s)',
      from: breaker({ state: 'half_open', failures: 3, generation: 6, backoffStep: 3, openedAtMs: 1, retryAtMs: 2 }),
      to: breaker({ state: 'open', failures: 4, generation: 7, backoffStep: 4, openedAtMs: NOW, retryAtMs: NOW + 40_000 }),
      transition: { from: 'half_open', to: 'open' },
    },
    {
      name: 'half_open far into the series: the window is capped at 5 min',
      from: breaker({ state: 'half_open', failures: 9, generation: 6, backoffStep: 12 }),
      to: breaker({ state: 'open', failures: 10, generation: 7, backoffStep: 13, openedAtMs: NOW, retryAtMs: NOW + 300_000 }),
      transition: { from: 'half_open', to: 'open' },
    },
    {
      name: 'open (nothing should poll it): only counts, window unchanged',
      from: breaker({ state: 'open', failures: 3, generation: 5, backoffStep: 3, openedAtMs: 1, retryAtMs: NOW + 5 }),
      to: breaker({ state: 'open', failures: 4, generation: 5, backoffStep: 3, openedAtMs: 1, retryAtMs: NOW + 5 }),
      transition: null,
    },
  ])('failure: $name', ({ from, to, transition }) => {
    const step = recordBreakerFailure(from, ctx());
    expect(step.breaker).toEqual(to);
    expect(step.events).toEqual(
      transition === null ? [] : [{ type: 'breaker_transition', ...transition, generation: to.generation, atMs: NOW }],
    );
  });

  it('a configured threshold of 1 opens on the first failure, at the start of the series', () => {
    const step = recordBreakerFailure(closedBreaker(), { ...ctx(), breaker: { failureThreshold: 1 } });
    expect(step.breaker).toMatchObject({ state: 'open', backoffStep: 1, retryAtMs: NOW + 5000 });
  });

  it('short mode windows: 750 ms .. 6 s', () => {
    const short = { ...ctx(), maxIntervalMs: 10_000 };
    let b = recordBreakerFailure(breaker({ failures: 2 }), short).breaker;
    expect(b.retryAtMs).toBe(NOW + 3000);
    b = recordBreakerFailure({ ...b, state: 'half_open' }, short).breaker;
    expect(b.retryAtMs).toBe(NOW + 6000);
    b = recordBreakerFailure({ ...b, state: 'half_open' }, short).breaker;
    expect(b.retryAtMs).toBe(NOW + 6000);
  });

  it.each([
    { name: 'closed', from: breaker({ failures: 2, backoffStep: 0, generation: 3 }), to: breaker({ generation: 3 }), transition: false },
    {
      name: 'half_open',
      from: breaker({ state: 'half_open', failures: 3, backoffStep: 3, generation: 3, openedAtMs: 1, retryAtMs: 2 }),
      to: breaker({ generation: 4 }),
      transition: true,
    },
    {
      name: 'open',
      from: breaker({ state: 'open', failures: 3, backoffStep: 3, generation: 3, openedAtMs: 1, retryAtMs: 2 }),
      to: breaker({ generation: 4 }),
      transition: true,
    },
  ])('success from $name: closed, failures and series reset', ({ from, to, transition }) => {
    const step = recordBreakerSuccess(from, NOW);
    expect(step.breaker).toEqual(to);
    expect(step.events).toEqual(
      transition ? [{ type: 'breaker_transition', from: from.state, to: 'closed', generation: to.generation, atMs: NOW }] : [],
    );
  });

  it.each([
    { name: 'closed', b: breaker({}), now: NOW, allowed: true },
    { name: 'half_open', b: breaker({ state: 'half_open', retryAtMs: NOW + 1 }), now: NOW, allowed: true },
    { name: 'open, before the window ends', b: breaker({ state: 'open', retryAtMs: NOW + 1 }), now: NOW, allowed: false },
    { name: 'open, at the window end', b: breaker({ state: 'open', retryAtMs: NOW }), now: NOW, allowed: true },
    { name: 'open without a window end (corrupt)', b: breaker({ state: 'open', retryAtMs: null }), now: NOW, allowed: true },
  ])('breakerAllowsPoll: $name -> $allowed', ({ b, now, allowed }) => {
    expect(breakerAllowsPoll(b, now)).toBe(allowed);
  });

  it('a probe starting at/after the window end moves open to half_open (one transition)', () => {
    const open = breaker({ state: 'open', failures: 3, generation: 5, backoffStep: 3, openedAtMs: 1, retryAtMs: NOW });
    expect(startBreakerProbe(open, NOW - 1)).toEqual({ breaker: open, events: [] });
    const step = startBreakerProbe(open, NOW);
    expect(step.breaker).toEqual({ ...open, state: 'half_open', generation: 6 });
    expect(step.events).toEqual([{ type: 'breaker_transition', from: 'open', to: 'half_open', generation: 6, atMs: NOW }]);
    expect(startBreakerProbe(step.breaker, NOW)).toEqual({ breaker: step.breaker, events: [] });
  });

  it('operator reset: closed, counts cleared, generation + 1; a transition only when not closed', () => {
    const open = breaker({ state: 'open', failures: 4, generation: 7, backoffStep: 4, openedAtMs: 1, retryAtMs: NOW + 10 });
    expect(resetBreaker(open, NOW)).toEqual({
      breaker: closedBreaker(8),
      events: [{ type: 'breaker_transition', from: 'open', to: 'closed', generation: 8, atMs: NOW }],
    });
    expect(resetBreaker(breaker({ failures: 2, generation: 2 }), NOW)).toEqual({ breaker: closedBreaker(3), events: [] });
  });

  it('operator reset on a target: clears consecutive failures, makes an open target due now, leaves a parked one parked', () => {
    const open = breaker({ state: 'open', failures: 4, generation: 7, backoffStep: 4, openedAtMs: 1, retryAtMs: NOW + 10 });
    const state = { ...initialTargetState(options, 0), breaker: open, consecutiveFailures: 4, nextRunAtMs: NOW + 10 };
    const step = resetTargetBreaker(state, NOW);
    expect(step.state).toEqual({ ...state, breaker: closedBreaker(8), consecutiveFailures: 0, nextRunAtMs: NOW });
    expect(step.events).toHaveLength(1);

    const deadLetter = {
      reason: 'permanent_failure' as const,
      enteredAtMs: 0,
      retryAtMs: NOW + 999,
      failures: 1,
      lastError: 'x',
      parkedCount: 1,
    };
    const parked = resetTargetBreaker({ ...state, deadLetter, nextRunAtMs: NOW + 999 }, NOW);
    expect(parked.state.nextRunAtMs).toBe(NOW + 999);
    expect(parked.state.deadLetter).toEqual(deadLetter);
  });
});
