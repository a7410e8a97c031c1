import { resetTargetBreaker } from './breaker';
import { purgeDeadLetter, retryDeadLetterNow } from './dead-letter';
import type { TargetStep } from './target-state';
import type { EpochMs, TargetPollState, TypePollingOptions } from './types';

/** What an operator may do to a target's state (management API, services). */
export type OperatorAction = 'reset_breaker' | 'retry_dead_letter' | 'purge_dead_letter';

const ACTIONS: readonly OperatorAction[] = ['reset_breaker', 'retry_dead_letter', 'purge_dead_letter'];

export function isOperatorAction(value: unknown): value is OperatorAction {
  return typeof value === 'string' && (ACTIONS as readonly string[]).includes(value);
}

/** Applies one operator action to a target's state: pure, so the API can show "after" before the engine applies it. */
export function applyOperatorAction(state: TargetPollState, action: OperatorAction, now: EpochMs, options: TypePollingOptions): TargetStep {
  switch (action) {
    case 'reset_breaker':
      return resetTargetBreaker(state, now);
    case 'retry_dead_letter':
      return retryDeadLetterNow(state, now);
    case 'purge_dead_letter':
      return purgeDeadLetter(state, now, options);
  }
}
