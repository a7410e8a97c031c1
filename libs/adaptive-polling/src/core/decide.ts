import { backoffDelayMs } from './backoff';
import { breakerAllowsPoll, recordBreakerFailure, recordBreakerSuccess, startBreakerProbe } from './breaker';
import { classifyFailure } from './classify';
import { deadLetterAllowsPoll, deadLetterReasonFor, parkTarget, reparkTarget } from './dead-letter';
import { fixedPolicy } from './policies/fixed';
import { clampMs } from './policies/interval-terms';
import type {
  ClassifiedFailure,
  Decision,
  DecisionInput,
  EpochMs,
  PolicyInput,
  PolicyStateJson,
  PollEvent,
  PollOutcome,
  TargetPollState,
} from './types';

/**
 * The one place the engine asks for a decision: `beginPoll` before a poll
 * runs, `decide` after it finished. Both are pure: state in, state out.
 */

/** A Retry-After longer than this is not honoured in full (a misbehaving server must not silence a target for days). */
export const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;
/** Each success multiplies `recentFailures` by this, so the recovery speed-up fades over a few polls. */
export const RECENT_FAILURES_DECAY_ON_SUCCESS = 0.5;
/** Below this `recentFailures` is reset to 0 (the penalty would be negligible anyway). */
export const RECENT_FAILURES_ZERO_BELOW = 0.5;

// ---------------------------------------------------------------------------
// Before a poll
// ---------------------------------------------------------------------------

export type BeginPollReason = 'due' | 'breaker_open' | 'dead_letter';

export interface BeginPollResult {
  allowed: boolean;
  reason: BeginPollReason;
  /** When not allowed, `state.nextRunAtMs` is when to come back (window end / dead-letter retry time). */
  state: TargetPollState;
  events: PollEvent[];
  /** Breaker generation the poll starts under; pass it back in the outcome. */
  generation: number;
}

/**
 * May a poll start now? Not while the breaker is open before its window ends,
 * and, while parked, only at/after the dead-letter retry time. An open breaker
 * whose window has ended moves to half_open and this poll is its one probe.
 */
export function beginPoll(state: TargetPollState, now: EpochMs): BeginPollResult {
  const deadLetterOpen = deadLetterAllowsPoll(state.deadLetter, now);
  const breakerOpen = breakerAllowsPoll(state.breaker, now);
  if (!deadLetterOpen || !breakerOpen) {
    // Come back when every gate is open: the later of the two times.
    let nextRunAtMs = now;
    if (state.deadLetter !== null) nextRunAtMs = Math.max(nextRunAtMs, state.deadLetter.retryAtMs);
    if (state.breaker.state === 'open' && state.breaker.retryAtMs !== null) {
      nextRunAtMs = Math.max(nextRunAtMs, state.breaker.retryAtMs);
    }
    return {
      allowed: false,
      reason: deadLetterOpen ? 'breaker_open' : 'dead_letter',
      state: { ...state, nextRunAtMs },
      events: [],
      generation: state.breaker.generation,
    };
  }
  const probe = startBreakerProbe(state.breaker, now);
  return {
    allowed: true,
    reason: 'due',
    state: probe.breaker === state.breaker ? state : { ...state, breaker: probe.breaker },
    events: probe.events,
    generation: probe.breaker.generation,
  };
}

// ---------------------------------------------------------------------------
// After a poll
// ---------------------------------------------------------------------------

/**
 * The new state, next run and events after one poll. Every path sets
 * `nextRunAtMs` (>= now) and `intervalMs` (the delay chosen after this poll),
 * except a stale result, which changes nothing but the next run when that is
 * missing or past.
 */
export function decide(input: DecisionInput): Decision {
  const { outcome, state } = input;
  if (outcome.generation < state.breaker.generation) return ignoreStaleResult(input);
  return outcome.kind === 'success' ? decideSuccess(input, outcome) : decideFailure(input, outcome);
}

/** When to run next: after a delay (policy, backoff) or at a gate time (breaker window end, dead-letter retry). */
type NextRun = { afterMs: number } | { atMs: EpochMs };

function finish(state: TargetPollState, now: EpochMs, next: NextRun, rest: Pick<Decision, 'failure' | 'changed' | 'events'>): Decision {
  // Kept exact in the form it was decided in: a gate time stays the gate time
  // (so a run at nextRunAtMs passes beginPoll), a delay stays that delay.
  let nextRunAtMs: EpochMs;
  let delayMs: number;
  if ('afterMs' in next) {
    delayMs = Math.max(0, next.afterMs);
    nextRunAtMs = now + delayMs;
  } else {
    nextRunAtMs = Math.max(now, next.atMs);
    delayMs = nextRunAtMs - now;
  }
  return { state: { ...state, nextRunAtMs, intervalMs: delayMs }, nextRunAtMs, delayMs, ...rest };
}

/** A result from an older breaker generation (e.g. started before an operator reset) flips nothing. */
function ignoreStaleResult(input: DecisionInput): Decision {
  const { state, outcome, now, options } = input;
  const nextRunAtMs = state.nextRunAtMs !== null && state.nextRunAtMs >= now ? state.nextRunAtMs : now + options.intervals.baseMs;
  // Still classified, so metrics can count the error; the state ignores it.
  const failure = outcome.kind === 'failure' ? classifyFailure(outcome.error, { classifier: input.classifier, now }) : null;
  return {
    state: { ...state, nextRunAtMs },
    nextRunAtMs,
    delayMs: nextRunAtMs - now,
    failure,
    changed: null,
    events: [
      {
        type: 'stale_result_ignored',
        resultGeneration: outcome.generation,
        currentGeneration: state.breaker.generation,
        atMs: now,
      },
    ],
  };
}

function decideSuccess(input: DecisionInput, outcome: Extract<PollOutcome, { kind: 'success' }>): Decision {
  const { state, now } = input;
  const changed = state.lastResultHash === null ? null : outcome.resultHash !== state.lastResultHash;
  const { intervalMs, policyState } = successIntervalMs(input, changed);

  const events: PollEvent[] = [];
  const breaker = recordBreakerSuccess(state.breaker, now);
  events.push(...breaker.events);
  if (state.deadLetter !== null) events.push({ type: 'dead_letter_out', reason: 'recovered', atMs: now });

  // Decayed only after the policy saw it, so the first interval after recovery is shortened.
  const decayedFailures = state.recentFailures * RECENT_FAILURES_DECAY_ON_SUCCESS;
  const next: TargetPollState = {
    ...state,
    lastPollAtMs: now,
    lastSuccessAtMs: now,
    lastChangeAtMs: changed === true ? now : state.lastChangeAtMs,
    lastResultHash: outcome.resultHash,
    // lastError is kept: it is history ("last error seen"), with its own time.
    consecutiveFailures: 0,
    recentFailures: decayedFailures < RECENT_FAILURES_ZERO_BELOW ? 0 : decayedFailures,
    breaker: breaker.breaker,
    deadLetter: null,
    policyState,
    totals: {
      polls: state.totals.polls + 1,
      failures: state.totals.failures,
      changes: state.totals.changes + (changed === true ? 1 : 0),
    },
  };
  return finish(next, now, { afterMs: intervalMs }, { failure: null, changed, events });
}

/**
 * The interval after a success:
 * - the target's own `fixedIntervalMs` when given: exactly that, no jitter and
 *   no [min, max] clamp (the user asked for that interval), policy state kept;
 * - adaptive polling disabled: the built-in `fixed` policy (base, jittered),
 *   policy state kept so re-enabling resumes what was learned;
 * - otherwise the policy, its result clamped to [min, max] whatever it returns.
 *
 * Staleness is measured at the START of this poll (age of the previous
 * success when the poll began; 1 if there was none). Measured after the
 * success it would always be ~0, which is what drifts the seed to max.
 */
function successIntervalMs(input: DecisionInput, changed: boolean | null): { intervalMs: number; policyState: PolicyStateJson } {
  const { state, outcome, now, options } = input;
  const bounds = options.intervals;
  if (typeof input.fixedIntervalMs === 'number' && Number.isFinite(input.fixedIntervalMs) && input.fixedIntervalMs > 0) {
    return { intervalMs: input.fixedIntervalMs, policyState: state.policyState };
  }

  const pollStartedAtMs = now - Math.max(0, outcome.durationMs);
  const sinceLastSuccessMs = state.lastSuccessAtMs === null ? null : Math.max(0, pollStartedAtMs - state.lastSuccessAtMs);
  const policyInput: PolicyInput = {
    now,
    intervals: bounds,
    staleness: sinceLastSuccessMs === null ? 1 : Math.min(1, sinceLastSuccessMs / bounds.maxMs),
    recentFailures: state.recentFailures,
    backlog: input.backlog ?? 1,
    changed,
    sinceLastSuccessMs,
    jitter: options.intervalJitter,
    random: input.random,
  };

  if (!options.enabled) {
    return { intervalMs: fixedPolicy.nextInterval(null, policyInput).intervalMs, policyState: state.policyState };
  }
  const decision = input.policy.nextInterval(state.policyState, policyInput);
  const intervalMs = Number.isFinite(decision.intervalMs) ? clampMs(decision.intervalMs, bounds) : clampMs(bounds.baseMs, bounds);
  return { intervalMs, policyState: decision.state };
}

function decideFailure(input: DecisionInput, outcome: Extract<PollOutcome, { kind: 'failure' }>): Decision {
  const { state, now } = input;
  const failure = classifyFailure(outcome.error, { classifier: input.classifier, now });
  const recorded: TargetPollState = {
    ...state,
    lastPollAtMs: now,
    lastError: { message: failure.message, kind: failure.kind, category: failure.category, atMs: now },
    // A rate-limited poll is a failed poll too, even though it is not held against the target.
    totals: { ...state.totals, polls: state.totals.polls + 1, failures: state.totals.failures + 1 },
  };
  if (failure.kind === 'transient' && failure.retryAfterMs !== null) return rateLimited(input, recorded, failure);
  return countedFailure(input, recorded, failure);
}

/**
 * 429/503 with Retry-After: the server asked us to wait, not a sign the
 * target is broken. Wait as asked (at least min, at most an hour); the
 * breaker, failure counts and dead-letter queue are untouched.
 */
function rateLimited(input: DecisionInput, recorded: TargetPollState, failure: ClassifiedFailure): Decision {
  const { now, options } = input;
  const waitMs = Math.min(MAX_RETRY_AFTER_MS, Math.max(options.intervals.minMs, failure.retryAfterMs ?? 0));
  // A parked target's one attempt was deferred, not spent: it runs at the new time.
  const deadLetter = recorded.deadLetter === null ? null : { ...recorded.deadLetter, retryAtMs: now + waitMs };
  return finish({ ...recorded, deadLetter }, now, { afterMs: waitMs }, { failure, changed: null, events: [] });
}

/**
 * A failure held against the target: counts, breaker, then the dead-letter
 * rules. The breaker records every counted failure, also while parked, so its
 * state stays truthful; the dead-letter retry time then governs the next run.
 */
function countedFailure(input: DecisionInput, recorded: TargetPollState, failure: ClassifiedFailure): Decision {
  const { now, options, random } = input;
  const consecutiveFailures = recorded.consecutiveFailures + 1;
  const maxIntervalMs = options.intervals.maxMs;
  const breaker = recordBreakerFailure(recorded.breaker, {
    now,
    breaker: options.breaker,
    backoff: options.backoff,
    maxIntervalMs,
    random,
  });
  const events: PollEvent[] = [...breaker.events];

  let deadLetter = recorded.deadLetter;
  const park = { consecutiveFailures, lastError: failure.message, now, options: options.deadLetter };
  if (deadLetter !== null) {
    // This was the parked target's one retry attempt.
    const reparked = reparkTarget(deadLetter, failure.kind, park);
    deadLetter = reparked.deadLetter;
    events.push(reparked.event);
  } else {
    const reason = deadLetterReasonFor(failure.kind, consecutiveFailures, options.deadLetter);
    if (reason !== null) {
      const parked = parkTarget({ ...park, reason });
      deadLetter = parked.deadLetter;
      events.push(parked.event);
    }
  }

  const breakerRetryAtMs = breaker.breaker.state === 'open' ? (breaker.breaker.retryAtMs ?? now) : now;
  let nextRun: NextRun;
  if (deadLetter !== null) nextRun = { atMs: Math.max(deadLetter.retryAtMs, breakerRetryAtMs) };
  else if (breaker.breaker.state === 'open') nextRun = { atMs: breakerRetryAtMs };
  else nextRun = { afterMs: backoffDelayMs(consecutiveFailures - 1, options.backoff, maxIntervalMs, random) };

  const next: TargetPollState = {
    ...recorded,
    consecutiveFailures,
    recentFailures: recorded.recentFailures + 1,
    breaker: breaker.breaker,
    deadLetter,
  };
  return finish(next, now, nextRun, { failure, changed: null, events });
}
