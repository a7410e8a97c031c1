import type { BreakerStateName, DeadLetterReason } from '../../core/types';

/** A target's state before or after an operator action: secret-free (no connection, no metadata). */
export interface TargetStateSummary {
  paused: boolean;
  breaker: { state: BreakerStateName; failures: number; generation: number; retryAt: string | null };
  deadLetter: { reason: DeadLetterReason; retryAt: string | null; failures: number; lastError: string } | null;
  consecutiveFailures: number;
  nextRun: string | null;
}

/** The audit actions the management API performs. */
export type ManagementAction =
  | 'breaker.reset'
  | 'dlq.retry'
  | 'dlq.purge'
  | 'target.pause'
  | 'target.resume';

/** Response of an action on one target. */
export interface TargetActionResult {
  action: ManagementAction;
  /** The target key `type::name`. */
  instance: string;
  actor: string;
  at: string;
  before: TargetStateSummary;
  /** The state the engine applies within milliseconds (computed with the same pure rule). */
  after: TargetStateSummary;
}

/** Response of `POST /api/monitoring/dlq/retry`. */
export interface RetryAllResult {
  action: 'dlq.retry_all';
  actor: string;
  at: string;
  /** How many dead-lettered targets get their retry now. */
  count: number;
  /** One entry per target, by key. */
  results: Array<{ instance: string; before: TargetStateSummary; after: TargetStateSummary }>;
}
