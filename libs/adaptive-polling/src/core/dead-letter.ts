import { resetBreaker } from './breaker';
import type { TargetStep } from './target-state';
import type {
  DeadLetterOptions,
  DeadLetterReason,
  DeadLetterState,
  EpochMs,
  FailureKind,
  PollEvent,
  TargetPollState,
  TypePollingOptions,
} from './types';

/**
 * Dead-letter rules. A parked target is polled once, at `retryAtMs`; success
 * takes it out, failure parks it again for another `retryDelayMs`.
 */

export type DeadLetterEvent = Extract<PollEvent, { type: 'dead_letter_in' | 'dead_letter_out' }>;

/** Why a target that is not parked yet must be parked now, or null to keep retrying. */
export function deadLetterReasonFor(kind: FailureKind, consecutiveFailures: number, options: DeadLetterOptions): DeadLetterReason | null {
  if (kind === 'permanent') return 'permanent_failure';
  return consecutiveFailures >= options.maxTransientFailures ? 'max_retry_attempts' : null;
}

export interface ParkRequest {
  reason: DeadLetterReason;
  consecutiveFailures: number;
  lastError: string;
  now: EpochMs;
  options: DeadLetterOptions;
}

/** Park a target that is not parked yet. */
export function parkTarget(request: ParkRequest): { deadLetter: DeadLetterState; event: DeadLetterEvent } {
  return parked(null, request);
}

/**
 * The retry attempt of a parked target failed: park it again with a new
 * retry time. The reason stays the original one unless this failure was
 * permanent. Emits `dead_letter_in` again (state.deadLetter.parkedCount > 1
 * tells a re-park from a first entry) so the caller can persist the new
 * retry time and error.
 */
export function reparkTarget(
  current: DeadLetterState,
  failureKind: FailureKind,
  request: Omit<ParkRequest, 'reason'>,
): { deadLetter: DeadLetterState; event: DeadLetterEvent } {
  const reason: DeadLetterReason = failureKind === 'permanent' ? 'permanent_failure' : current.reason;
  return parked(current, { ...request, reason });
}

function parked(current: DeadLetterState | null, request: ParkRequest): { deadLetter: DeadLetterState; event: DeadLetterEvent } {
  const retryAtMs = request.now + request.options.retryDelayMs;
  const deadLetter: DeadLetterState = {
    reason: request.reason,
    enteredAtMs: current?.enteredAtMs ?? request.now,
    retryAtMs,
    failures: request.consecutiveFailures,
    lastError: request.lastError,
    parkedCount: (current?.parkedCount ?? 0) + 1,
  };
  return {
    deadLetter,
    event: { type: 'dead_letter_in', reason: request.reason, retryAtMs, lastError: request.lastError, atMs: request.now },
  };
}

/** Stall recoveries in a row that park a target (its poll killed the process each time). */
export const DEFAULT_MAX_STALL_RECOVERIES = 3;

/**
 * A run that BullMQ handed back after a crash, `stallRecoveries` times in a
 * row: at the limit the target is parked (reason `stalled`) instead of being
 * polled again, so a poll that kills its process is not retaken forever.
 * Returns null below the limit, or when it is already parked.
 */
export function parkStalledTarget(
  state: TargetPollState,
  stallRecoveries: number,
  limit: number,
  now: EpochMs,
  options: DeadLetterOptions,
): TargetStep | null {
  if (stallRecoveries < limit) return null;
  const { deadLetter, event } = parked(state.deadLetter, {
    reason: 'stalled',
    consecutiveFailures: state.consecutiveFailures,
    lastError: `the poll was lost ${stallRecoveries} times in a row (its process stopped while polling)`,
    now,
    options,
  });
  return { state: { ...state, deadLetter, nextRunAtMs: deadLetter.retryAtMs }, events: [event] };
}

/** While parked, the only poll allowed is the retry attempt at/after `retryAtMs`. */
export function deadLetterAllowsPoll(deadLetter: DeadLetterState | null, now: EpochMs): boolean {
  return deadLetter === null || now >= deadLetter.retryAtMs;
}

/**
 * Operator "retry now": the one retry attempt becomes due immediately. The
 * target stays parked until the attempt's outcome: success emits
 * `dead_letter_out` (reason `recovered`), failure parks it again for the full
 * retry delay. So this returns no event itself; auditing the operator action
 * is the caller's job. A target that is not parked is returned unchanged.
 */
export function retryDeadLetterNow(state: TargetPollState, now: EpochMs): TargetStep {
  if (state.deadLetter === null) return { state, events: [] };
  return {
    state: { ...state, deadLetter: { ...state.deadLetter, retryAtMs: now }, nextRunAtMs: now },
    events: [],
  };
}

/**
 * Operator purge: the entry is removed and the target starts afresh (failure
 * counts cleared, breaker closed with a new generation so a poll in flight
 * cannot undo it), next poll one base interval from now. A target that is not
 * parked is returned unchanged.
 */
export function purgeDeadLetter(state: TargetPollState, now: EpochMs, options: TypePollingOptions): TargetStep {
  if (state.deadLetter === null) return { state, events: [] };
  const reset = resetBreaker(state.breaker, now);
  const nextRunAtMs = now + options.intervals.baseMs;
  return {
    state: {
      ...state,
      deadLetter: null,
      consecutiveFailures: 0,
      recentFailures: 0,
      breaker: reset.breaker,
      nextRunAtMs,
    },
    events: [{ type: 'dead_letter_out', reason: 'operator_purge', atMs: now }, ...reset.events],
  };
}
