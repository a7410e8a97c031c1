import { stalenessScore as coreStalenessScore } from '../../core/schedule-rules';
import { redactSecrets } from '../../core/redact';
import type { TargetPollState, TypePollingOptions } from '../../core/types';
import type { TargetSnapshot } from '../../engine/polling-engine';
import {
  WARN_BREAKER_HALF_OPEN,
  WARN_NEVER_SUCCEEDED,
  WARN_NOT_POLLED_YET,
  WARN_NOT_SCHEDULED,
  WARN_PAUSED,
  warnBreakerOpen,
  warnDeadLettered,
  warnFailing,
  warnOverdue,
  warnStale,
} from './api-messages';
import type { InstanceHealth, SafeConnection } from './scheduler-health.types';

/* One target's entry of `instances[]`, and the rules shared with the fleet-wide sections. */

export type IsoFormat = (ms: number | null | undefined) => string | null;

/** A target is overdue when its next run is this far past (or one base interval, if longer). */
const OVERDUE_GRACE_MS = 10_000;

/** Code-point order: the same everywhere, unlike localeCompare. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The staleness score of a target's state (the rule itself lives in core/schedule-rules). */
export function stalenessScore(state: TargetPollState | null, now: number, maxMs: number): number {
  return coreStalenessScore(state?.lastSuccessAtMs ?? null, now, maxMs);
}

function seconds(ms: number): number {
  return Math.round(ms / 1000);
}

function instanceWarnings(snap: TargetSnapshot, now: number, options: TypePollingOptions, iso: IsoFormat): string[] {
  const { state, definition } = snap;
  const warnings: string[] = [];
  if (definition.paused) warnings.push(WARN_PAUSED);
  if (!snap.scheduled) warnings.push(WARN_NOT_SCHEDULED);
  if (state === null) {
    if (snap.scheduled && !definition.paused) warnings.push(WARN_NOT_POLLED_YET);
    return warnings.sort(compareText);
  }
  if (state.deadLetter) {
    warnings.push(warnDeadLettered(state.deadLetter.reason, iso(state.deadLetter.retryAtMs) ?? 'unknown'));
  }
  if (state.breaker.state === 'open') warnings.push(warnBreakerOpen(state.breaker.failures, iso(state.breaker.retryAtMs)));
  if (state.breaker.state === 'half_open') warnings.push(WARN_BREAKER_HALF_OPEN);
  if (state.consecutiveFailures > 0 && state.breaker.state === 'closed' && !state.deadLetter) {
    warnings.push(warnFailing(state.consecutiveFailures));
  }
  if (state.lastSuccessAtMs === null && state.totals.polls > 0) warnings.push(WARN_NEVER_SUCCEEDED);
  if (state.lastSuccessAtMs !== null && now - state.lastSuccessAtMs > 2 * options.intervals.maxMs) {
    warnings.push(warnStale(seconds(now - state.lastSuccessAtMs)));
  }
  const grace = Math.max(OVERDUE_GRACE_MS, options.intervals.baseMs);
  if (!definition.paused && !snap.running && snap.scheduled && state.nextRunAtMs !== null && now - state.nextRunAtMs > grace) {
    warnings.push(warnOverdue(seconds(now - state.nextRunAtMs)));
  }
  return warnings.sort(compareText);
}

export function instanceHealth(
  snap: TargetSnapshot,
  key: string,
  now: number,
  options: TypePollingOptions,
  iso: IsoFormat,
  summarizeConnection: (connection: Record<string, unknown>) => SafeConnection,
): InstanceHealth {
  const { definition, state } = snap;
  const breaker = state?.breaker;
  const dead = state?.deadLetter ?? null;
  const lastError = state?.lastError ?? null;
  return {
    key,
    type: definition.type,
    displayName: definition.displayName,
    instance: definition.name,
    connection: summarizeConnection(definition.connection),
    pollStatus: {
      lastPoll: iso(state?.lastPollAtMs),
      lastSuccess: iso(state?.lastSuccessAtMs),
      lastChange: iso(state?.lastChangeAtMs),
      lastError:
        lastError && lastError.atMs > 0
          ? {
              at: iso(lastError.atMs)!,
              message: redactSecrets(lastError.message),
              kind: lastError.kind,
              category: lastError.category,
            }
          : null,
      consecutiveFailures: state?.consecutiveFailures ?? 0,
      stalenessScore: stalenessScore(state, now, options.intervals.maxMs),
      totals: {
        polls: state?.totals.polls ?? 0,
        failures: state?.totals.failures ?? 0,
        changes: state?.totals.changes ?? 0,
      },
    },
    breaker: {
      state: breaker?.state ?? 'closed',
      failures: breaker?.failures ?? 0,
      generation: breaker?.generation ?? 0,
      openedAt: iso(breaker?.openedAtMs),
      retryAt: iso(breaker?.retryAtMs),
    },
    deadLetter: {
      present: dead !== null,
      reason: dead?.reason ?? null,
      enteredAt: iso(dead?.enteredAtMs),
      retryAt: iso(dead?.retryAtMs),
      failures: dead?.failures ?? 0,
      lastError: dead ? redactSecrets(dead.lastError) : null,
      parkedCount: dead?.parkedCount ?? 0,
    },
    warnings: instanceWarnings(snap, now, options, iso),
    currentIntervalMs: state?.intervalMs ?? null,
    nextRun: iso(state?.nextRunAtMs),
    paused: definition.paused,
    running: snap.running,
    scheduled: snap.scheduled,
  };
}
