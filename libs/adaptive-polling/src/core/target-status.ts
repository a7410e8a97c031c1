import type { BreakerStateName } from './types';

/**
 * The one state a target is shown in, most urgent first when several apply.
 * The console's rows and the fleet aggregates both use this rule, so a count
 * per state and the rows it counts never disagree.
 */
export type TargetStatus = 'paused' | 'dead_lettered' | 'breaker_open' | 'backing_off' | 'polling';
export const TARGET_STATUSES: readonly TargetStatus[] = ['polling', 'backing_off', 'breaker_open', 'dead_lettered', 'paused'];

/** The fields of a TargetPollState the rule looks at (null: never polled); `deadLetter` only for its presence. */
export interface TargetStatusInput {
  deadLetter: object | null;
  consecutiveFailures: number;
  breaker: { state: BreakerStateName };
}

export function targetStatusOf(paused: boolean, state: TargetStatusInput | null): TargetStatus {
  if (paused) return 'paused';
  if (!state) return 'polling';
  if (state.deadLetter) return 'dead_lettered';
  if (state.breaker.state === 'open') return 'breaker_open';
  if (state.breaker.state === 'half_open' || state.consecutiveFailures > 0) return 'backing_off';
  return 'polling';
}
