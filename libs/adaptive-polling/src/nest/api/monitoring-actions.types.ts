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
export type ManagementAction = 'breaker.reset' | 'dlq.retry' | 'dlq.purge' | 'target.pause' | 'target.resume';

/** Response of an action on one target. */
export interface TargetActionResult {
  action: ManagementAction;
  /** The target key `type::name`. */
  instance: string;
  actor: string;
  /** When it was applied (or, while still queued, asked). */
  at: string;
  /** True: before/after are what the engine applied. False (HTTP 202): queued, not applied within the wait; both null. */
  applied: boolean;
  before: TargetStateSummary | null;
  after: TargetStateSummary | null;
}

/** Response of `POST /api/monitoring/dlq/retry`. */
export interface RetryAllResult {
  action: 'dlq.retry_all';
  actor: string;
  at: string;
  /** How many dead-lettered targets get their retry now. */
  count: number;
  /** One entry per target queued for its retry, by key: its state when queued (each retry is audited as `dlq.retry` when applied). */
  results: Array<{ instance: string; before: TargetStateSummary }>;
  /** Set when it stopped midway: the targets above were queued, the rest were not. */
  error?: string;
}
