import { redactSecrets } from '../../core/redact';
import {
  BREAKER_STATES as CORE_BREAKER_STATES,
  FAILURE_CATEGORIES,
  type BreakerStateName,
  type DeadLetterReason,
  type FailureCategory,
  type PollEvent,
} from '../../core/types';

/**
 * Every label value the metrics may carry comes from one of these typed
 * constants (or is a target type / target key the user registered), so the
 * number of series stays bounded whatever a poller throws.
 */

/** Value of any label that was empty, or not one of its allowed values. */
export const UNKNOWN_LABEL_VALUE = 'unknown';

/** The `instance` label when per-target labels are switched off. */
export const ALL_INSTANCES_LABEL_VALUE = 'all';

export const POLL_RESULTS = ['success', 'error'] as const;
export type PollResultLabel = (typeof POLL_RESULTS)[number];

/** `error_type` label: the classifier's bounded failure categories. */
export const POLL_ERROR_TYPES = FAILURE_CATEGORIES;
export type PollErrorTypeLabel = (typeof POLL_ERROR_TYPES)[number];

export const BREAKER_STATES = CORE_BREAKER_STATES;

/** Value of the breaker state gauge: 0 closed, 1 half_open, 2 open (worse is higher). */
export const BREAKER_STATE_VALUES: Readonly<Record<BreakerStateName, number>> = { closed: 0, half_open: 1, open: 2 };

export const DEAD_LETTER_DIRECTIONS = ['in', 'out'] as const;
export type DeadLetterDirectionLabel = (typeof DEAD_LETTER_DIRECTIONS)[number];

type DeadLetterOutReason = Extract<PollEvent, { type: 'dead_letter_out' }>['reason'];

export const DEAD_LETTER_REASONS = [
  'max_retry_attempts',
  'permanent_failure',
  'stalled',
  'recovered',
  'operator_retry',
  'operator_purge',
] as const satisfies readonly (DeadLetterReason | DeadLetterOutReason)[];
export type DeadLetterReasonLabel = (typeof DEAD_LETTER_REASONS)[number];

// Compile-time completeness: a new failure category, breaker state or
// dead-letter reason in the core must be added to the lists above.
type Missing<All, Listed> = [Exclude<All, Listed>] extends [never] ? true : Exclude<All, Listed>;
const listsAreComplete: [
  Missing<FailureCategory, PollErrorTypeLabel>,
  Missing<BreakerStateName, (typeof BREAKER_STATES)[number]>,
  Missing<DeadLetterReason | DeadLetterOutReason, DeadLetterReasonLabel>,
] = [true, true, true];
void listsAreComplete;

/** A value from `allowed`, or `unknown` for anything else (including empty). */
export function boundedLabel<T extends string>(value: unknown, allowed: readonly T[]): T | typeof UNKNOWN_LABEL_VALUE {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value) ? (value as T) : UNKNOWN_LABEL_VALUE;
}

/** A free-form label value (target type or key): empty or missing becomes `unknown`. */
export function labelValue(value: unknown): string {
  if (typeof value !== 'string') return UNKNOWN_LABEL_VALUE;
  // A target name is the user's text: it may quote a URL with credentials.
  const trimmed = redactSecrets(value.trim());
  return trimmed === '' ? UNKNOWN_LABEL_VALUE : trimmed;
}

/** Milliseconds as seconds; negative or non-finite durations clamp to 0. */
export function nonNegativeSeconds(ms: number): number {
  return Number.isFinite(ms) && ms > 0 ? ms / 1000 : 0;
}
