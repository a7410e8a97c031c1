import { gateTimeMs } from '../../core/schedule-rules';
import { redactSecrets } from '../../core/redact';
import type { TargetPollState } from '../../core/types';
import type { TargetStateSummary } from '../api/monitoring-actions.types';
import { isoOrNull } from '../api/iso-time';

/** Secret-free summary of a target's state for responses and audit records. */
export function summarizeTargetState(state: TargetPollState, paused: boolean): TargetStateSummary {
  const dead = state.deadLetter;
  return {
    paused,
    breaker: {
      state: state.breaker.state,
      failures: state.breaker.failures,
      generation: state.breaker.generation,
      retryAt: isoOrNull(state.breaker.retryAtMs),
    },
    deadLetter: dead
      ? {
          reason: dead.reason,
          retryAt: isoOrNull(dead.retryAtMs),
          failures: dead.failures,
          lastError: redactSecrets(dead.lastError),
        }
      : null,
    consecutiveFailures: state.consecutiveFailures,
    nextRun: paused ? null : isoOrNull(state.nextRunAtMs),
  };
}

/** A resumed target is due at once, unless its breaker or dead-letter entry holds it longer. */
export function resumedNextRun(state: TargetPollState, now: number): number {
  return gateTimeMs(state, now);
}
