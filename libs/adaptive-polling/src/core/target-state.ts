import { closedBreaker } from './breaker';
import {
  BREAKER_STATES as CORE_BREAKER_STATES,
  DEAD_LETTER_REASONS as CORE_DEAD_LETTER_REASONS,
  FAILURE_CATEGORIES as CORE_FAILURE_CATEGORIES,
  FAILURE_KINDS as CORE_FAILURE_KINDS,
} from './types';
import type { BreakerState, DeadLetterState, EpochMs, LastErrorInfo, PollEvent, TargetPollState, TypePollingOptions } from './types';

/** A new target state plus what happened on the way (for operator actions). */
export interface TargetStep {
  state: TargetPollState;
  events: PollEvent[];
}

/**
 * State of a target that has never been polled: due now, breaker closed at
 * generation 0, no policy memory. `options` is taken so the shape can grow
 * per-type defaults without changing callers.
 */
export function initialTargetState(options: TypePollingOptions, now: EpochMs): TargetPollState {
  void options;
  return {
    version: 1,
    lastPollAtMs: null,
    lastSuccessAtMs: null,
    lastChangeAtMs: null,
    lastResultHash: null,
    lastError: null,
    consecutiveFailures: 0,
    recentFailures: 0,
    breaker: closedBreaker(),
    deadLetter: null,
    policyState: null,
    intervalMs: null,
    nextRunAtMs: now,
    totals: { polls: 0, failures: 0, changes: 0 },
  };
}

// ---------------------------------------------------------------------------
// Guard for values read back from Redis (they may come from another version).
// ---------------------------------------------------------------------------

type Obj = Record<string, unknown>;

const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isTimeOrNull = (v: unknown): boolean => v === null || isTime(v);
const isStringOrNull = (v: unknown): boolean => v === null || typeof v === 'string';

// Read back from Redis as plain strings: compare against the core's lists.
const FAILURE_KINDS: readonly string[] = CORE_FAILURE_KINDS;
const FAILURE_CATEGORIES: readonly string[] = CORE_FAILURE_CATEGORIES;
const BREAKER_STATES: readonly string[] = CORE_BREAKER_STATES;
const DEAD_LETTER_REASONS: readonly string[] = CORE_DEAD_LETTER_REASONS;

function isLastError(v: unknown): v is LastErrorInfo {
  return (
    isObject(v) &&
    typeof v['message'] === 'string' &&
    FAILURE_KINDS.includes(v['kind'] as string) &&
    FAILURE_CATEGORIES.includes(v['category'] as string) &&
    isTime(v['atMs'])
  );
}

function isBreakerState(v: unknown): v is BreakerState {
  return (
    isObject(v) &&
    BREAKER_STATES.includes(v['state'] as string) &&
    isCount(v['generation']) &&
    isCount(v['failures']) &&
    isCount(v['backoffStep']) &&
    isTimeOrNull(v['openedAtMs']) &&
    isTimeOrNull(v['retryAtMs'])
  );
}

function isDeadLetterState(v: unknown): v is DeadLetterState {
  return (
    isObject(v) &&
    DEAD_LETTER_REASONS.includes(v['reason'] as string) &&
    isTime(v['enteredAtMs']) &&
    isTime(v['retryAtMs']) &&
    isCount(v['failures']) &&
    typeof v['lastError'] === 'string' &&
    isCount(v['parkedCount'])
  );
}

/** True when `value` (e.g. JSON parsed from Redis) is a complete version-1 target state. */
export function isTargetPollState(value: unknown): value is TargetPollState {
  if (!isObject(value) || value['version'] !== 1) return false;
  const totals = value['totals'];
  return (
    isTimeOrNull(value['lastPollAtMs']) &&
    isTimeOrNull(value['lastSuccessAtMs']) &&
    isTimeOrNull(value['lastChangeAtMs']) &&
    isStringOrNull(value['lastResultHash']) &&
    (value['lastError'] === null || isLastError(value['lastError'])) &&
    isCount(value['consecutiveFailures']) &&
    isCount(value['recentFailures']) &&
    isBreakerState(value['breaker']) &&
    (value['deadLetter'] === null || isDeadLetterState(value['deadLetter'])) &&
    (value['policyState'] === null || isObject(value['policyState'])) &&
    (value['intervalMs'] === null || isCount(value['intervalMs'])) &&
    isTimeOrNull(value['nextRunAtMs']) &&
    isObject(totals) &&
    isCount(totals['polls']) &&
    isCount(totals['failures']) &&
    isCount(totals['changes'])
  );
}
