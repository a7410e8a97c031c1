import { formatDuration } from '../../core/duration';
import { redactSecrets } from '../../core/redact';
import type { Clock, TargetPollState } from '../../core/types';
import { targetStateFromJobData, type PollJobData } from '../../engine/job-state-codec';
import { PAUSED_DELAY_MS } from '../../engine/poll-processor';
import { isoOrNull } from '../api/iso-time';
import { safeConnectionSummary } from '../api/safe-connection';
import type { SafeConnection } from '../api/scheduler-health.types';

/** A poll job's data as the board shows it: the compact state decoded into named fields, secrets redacted. */
export interface PollJobView {
  target: string | null;
  /** When this job is due (the delayed job's run time). */
  dueAt: string | null;
  /** The pause puts the job ten years out; a run after the resume is due at once. */
  paused: boolean;
  /** Null before the target's first run, or when the stored state cannot be read (`unreadable`). */
  state: PollStateView | null;
  unreadable?: true;
}

export interface PollStateView {
  interval: string | null;
  intervalMs: number | null;
  nextRunAt: string | null;
  lastPollAt: string | null;
  lastSuccessAt: string | null;
  lastChangeAt: string | null;
  consecutiveFailures: number;
  /** The decaying failure count the policy's error penalty reads. */
  recentFailures: number;
  lastError: { message: string; kind: string; category: string; at: string | null } | null;
  breaker: { state: string; failures: number; generation: number; backoffStep: number; openedAt: string | null; retryAt: string | null };
  deadLetter: {
    reason: string;
    enteredAt: string | null;
    retryAt: string | null;
    failures: number;
    lastError: string;
    parkedCount: number;
  } | null;
  totals: { polls: number; failures: number; changes: number };
  policyState: SafeConnection | null;
}

function stateView(state: TargetPollState): PollStateView {
  const { breaker, deadLetter, lastError } = state;
  return {
    interval: state.intervalMs === null ? null : formatDuration(state.intervalMs),
    intervalMs: state.intervalMs,
    nextRunAt: isoOrNull(state.nextRunAtMs),
    lastPollAt: isoOrNull(state.lastPollAtMs),
    lastSuccessAt: isoOrNull(state.lastSuccessAtMs),
    lastChangeAt: isoOrNull(state.lastChangeAtMs),
    consecutiveFailures: state.consecutiveFailures,
    recentFailures: state.recentFailures,
    lastError: lastError && {
      message: redactSecrets(lastError.message),
      kind: lastError.kind,
      category: lastError.category,
      at: isoOrNull(lastError.atMs),
    },
    breaker: {
      state: breaker.state,
      failures: breaker.failures,
      generation: breaker.generation,
      backoffStep: breaker.backoffStep,
      openedAt: isoOrNull(breaker.openedAtMs),
      retryAt: isoOrNull(breaker.retryAtMs),
    },
    deadLetter: deadLetter && {
      reason: deadLetter.reason,
      enteredAt: isoOrNull(deadLetter.enteredAtMs),
      retryAt: isoOrNull(deadLetter.retryAtMs),
      failures: deadLetter.failures,
      lastError: redactSecrets(deadLetter.lastError),
      parkedCount: deadLetter.parkedCount,
    },
    totals: { ...state.totals },
    policyState: state.policyState && safeConnectionSummary(state.policyState),
  };
}

/**
 * Decodes a poll job's `data` for Bull Board. Anything else (a job some
 * other code put on the queue) is shown through the connection redaction,
 * never raw.
 */
export function pollJobView(data: unknown, now: number): PollJobView | SafeConnection {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return {};
  const { key, dueAtMs, state: stored } = data as Partial<PollJobData>;
  if (typeof key !== 'string' || typeof dueAtMs !== 'number') return safeConnectionSummary(data as Record<string, unknown>);
  const state = targetStateFromJobData(data);
  const view: PollJobView = {
    target: key,
    dueAt: isoOrNull(dueAtMs),
    paused: dueAtMs - now >= PAUSED_DELAY_MS / 2,
    state: state && stateView(state),
  };
  if (state === null && stored !== null && stored !== undefined) view.unreadable = true;
  return view;
}

/** The board's `data` formatter, reading the module's clock. */
export function pollJobDataFormatter(clock: Clock): (data: unknown) => PollJobView | SafeConnection {
  return (data) => pollJobView(data, clock());
}
