import { backoffDelayMs } from './backoff';
import type { TargetStep } from './target-state';
import type { BackoffOptions, BreakerOptions, BreakerState, EpochMs, PollEvent, RandomSource, TargetPollState } from './types';

/**
 * Pure circuit-breaker transitions. Every transition (and every operator
 * reset) increments `generation`, so a poll result that started under an
 * older generation can be recognised and ignored.
 */

export type BreakerTransitionEvent = Extract<PollEvent, { type: 'breaker_transition' }>;

export interface BreakerStep {
  breaker: BreakerState;
  /** Zero or one transition. */
  events: BreakerTransitionEvent[];
}

/** What a failure needs to size the open window. */
export interface BreakerFailureContext {
  now: EpochMs;
  breaker: BreakerOptions;
  backoff: BackoffOptions;
  /** The type's max interval: selects the short backoff series when small. */
  maxIntervalMs: number;
  random: RandomSource;
}

export function closedBreaker(generation = 0): BreakerState {
  return { state: 'closed', generation, failures: 0, backoffStep: 0, openedAtMs: null, retryAtMs: null };
}

function transition(from: BreakerState, to: BreakerState, now: EpochMs): BreakerStep {
  return {
    breaker: to,
    events: [{ type: 'breaker_transition', from: from.state, to: to.state, generation: to.generation, atMs: now }],
  };
}

function open(from: BreakerState, failures: number, step: number, ctx: BreakerFailureContext): BreakerStep {
  const windowMs = backoffDelayMs(step, ctx.backoff, ctx.maxIntervalMs, ctx.random);
  return transition(
    from,
    {
      state: 'open',
      generation: from.generation + 1,
      failures,
      backoffStep: step + 1,
      openedAtMs: ctx.now,
      retryAtMs: ctx.now + windowMs,
    },
    ctx.now,
  );
}

/**
 * A counted failure. Closed: opens once `failureThreshold` consecutive failures
 * are reached. The first open window continues the retry series where the
 * plain retries left off (step failures - 1), so delays never shrink across a
 * failure streak. Half-open: the probe failed, reopen with the next, longer
 * window. Open: nothing polls an open breaker, so this only counts.
 */
export function recordBreakerFailure(breaker: BreakerState, ctx: BreakerFailureContext): BreakerStep {
  const failures = breaker.failures + 1;
  switch (breaker.state) {
    case 'closed':
      if (failures < ctx.breaker.failureThreshold) return { breaker: { ...breaker, failures }, events: [] };
      return open(breaker, failures, Math.max(breaker.backoffStep, failures - 1), ctx);
    case 'half_open':
      return open(breaker, failures, breaker.backoffStep, ctx);
    case 'open':
      return { breaker: { ...breaker, failures }, events: [] };
  }
}

/** A success closes the breaker from any state and restarts the backoff series. */
export function recordBreakerSuccess(breaker: BreakerState, now: EpochMs): BreakerStep {
  if (breaker.state === 'closed') {
    return { breaker: { ...breaker, failures: 0, backoffStep: 0 }, events: [] };
  }
  return transition(breaker, closedBreaker(breaker.generation + 1), now);
}

/** May a poll start now, as far as the breaker is concerned? */
export function breakerAllowsPoll(breaker: BreakerState, now: EpochMs): boolean {
  // An open breaker without a window end (corrupt state) must not block forever.
  return breaker.state !== 'open' || breaker.retryAtMs === null || now >= breaker.retryAtMs;
}

/**
 * A poll is starting. An open breaker whose window has ended moves to
 * half_open and this poll is its single probe. Call only when
 * `breakerAllowsPoll` is true; otherwise the state is returned unchanged.
 */
export function startBreakerProbe(breaker: BreakerState, now: EpochMs): BreakerStep {
  if (breaker.state !== 'open' || !breakerAllowsPoll(breaker, now)) return { breaker, events: [] };
  return transition(breaker, { ...breaker, state: 'half_open', generation: breaker.generation + 1 }, now);
}

/**
 * Operator reset: closed, failures 0, series restarted, generation + 1 (so
 * the result of a poll in flight cannot flip it back). Emits a transition
 * only when the breaker was not already closed.
 */
export function resetBreaker(breaker: BreakerState, now: EpochMs): BreakerStep {
  const reset = closedBreaker(breaker.generation + 1);
  return breaker.state === 'closed' ? { breaker: reset, events: [] } : transition(breaker, reset, now);
}

/**
 * Operator "reset breaker" on a whole target: breaker reset (see
 * `resetBreaker`) and the consecutive-failure count cleared, so the target
 * gets a full fresh series. A target whose breaker was not closed becomes due
 * now; a parked target stays parked (purge or retry the dead letter for that).
 */
export function resetTargetBreaker(state: TargetPollState, now: EpochMs): TargetStep {
  const reset = resetBreaker(state.breaker, now);
  const wasBlocked = state.breaker.state !== 'closed';
  return {
    state: {
      ...state,
      breaker: reset.breaker,
      consecutiveFailures: 0,
      nextRunAtMs: wasBlocked && state.deadLetter === null ? now : state.nextRunAtMs,
    },
    events: reset.events,
  };
}
