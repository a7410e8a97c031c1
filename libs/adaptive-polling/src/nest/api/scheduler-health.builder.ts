import { optionsForType } from '../../core/options';
import { redactSecrets } from '../../core/redact';
import { targetKey } from '../../core/target';
import type { ResolvedPollingOptions, TargetPollState, TypePollingOptions } from '../../core/types';
import type { TargetSnapshot } from '../../engine/polling-engine';
import type { PersistenceStatus, ReplicaInfo } from '../extension-points';
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
import { createIsoFormatter, isoOrNull } from './iso-time';
import { safeConnectionSummary } from './safe-connection';
import type {
  BreakerHealth,
  DeadLetterTaskHealth,
  InstanceHealth,
  SafeConnection,
  SchedulerHealth,
  StalenessHealth,
} from './scheduler-health.types';

export { isoOrNull } from './iso-time';

type IsoFormat = (ms: number | null | undefined) => string | null;

/** The seed's "due soon" window: 12 seconds. */
export const DUE_SOON_WINDOW_MS = 12_000;
/** Dead-letter entries listed in full. */
export const DEAD_LETTER_TASK_LIMIT = 25;
/** A target is overdue when its next run is this far past (or one base interval, if longer). */
const OVERDUE_GRACE_MS = 10_000;

export interface SchedulerHealthOptions {
  polling: ResolvedPollingOptions;
  dueWindowMs?: number;
  deadLetterTaskLimit?: number;
  /** How a connection is shown (default `safeConnectionSummary`; a caller may memoise it). */
  summarizeConnection?: (connection: Record<string, unknown>) => SafeConnection;
}

/** Sections filled by optional providers; an absent one leaves its section out. */
export interface SchedulerHealthExtras {
  replicas?: ReplicaInfo[];
  persistence?: PersistenceStatus;
}

/** Code-point order: the same everywhere, unlike localeCompare. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function stalenessScore(state: TargetPollState | null, now: number, maxMs: number): number {
  const last = state?.lastSuccessAtMs ?? null;
  if (last === null) return 1;
  const score = Math.min(1, Math.max(0, now - last) / maxMs);
  return Math.round(score * 10_000) / 10_000;
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
  if (
    !definition.paused &&
    !snap.running &&
    snap.scheduled &&
    state.nextRunAtMs !== null &&
    now - state.nextRunAtMs > grace
  ) {
    warnings.push(warnOverdue(seconds(now - state.nextRunAtMs)));
  }
  return warnings.sort(compareText);
}

function instanceHealth(
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

/**
 * Builds the scheduler health document (SPEC 5) from every target's
 * snapshot. Pure: time comes in as `now`, nothing is read or written. Linear
 * in the fleet plus sorting, so it stays fast at 10,000 targets.
 */
export function buildSchedulerHealth(
  snapshots: readonly TargetSnapshot[],
  now: number,
  options: SchedulerHealthOptions,
  extras: SchedulerHealthExtras = {},
): SchedulerHealth {
  const dueWindowMs = options.dueWindowMs ?? DUE_SOON_WINDOW_MS;
  const taskLimit = options.deadLetterTaskLimit ?? DEAD_LETTER_TASK_LIMIT;
  const iso = createIsoFormatter();
  const summarizeConnection = options.summarizeConnection ?? safeConnectionSummary;
  const typeOptions = new Map<string, TypePollingOptions>();
  const optionsOf = (type: string): TypePollingOptions => {
    let found = typeOptions.get(type);
    if (!found) {
      found = optionsForType(options.polling, type);
      typeOptions.set(type, found);
    }
    return found;
  };

  const entries = snapshots
    .map((snap) => ({ snap, key: targetKey(snap.definition) }))
    .sort((a, b) => compareText(a.key, b.key));

  let depth = 0;
  let dueSoon = 0;
  const perTypeCounts = new Map<string, number>();
  const deadTasks: Array<DeadLetterTaskHealth & { retryAtMs: number }> = [];
  const breakers: BreakerHealth[] = [];
  const staleness: StalenessHealth[] = [];
  const instances: InstanceHealth[] = [];

  for (const { snap, key } of entries) {
    const { definition, state } = snap;
    const ref = { instance: definition.name, type: definition.type, key };
    const typeOpts = optionsOf(definition.type);

    if (snap.scheduled && !definition.paused && !state?.deadLetter) {
      depth++;
      perTypeCounts.set(definition.type, (perTypeCounts.get(definition.type) ?? 0) + 1);
      const next = state?.nextRunAtMs ?? null;
      if (!snap.running && next !== null && next <= now + dueWindowMs) dueSoon++;
    }
    if (state?.deadLetter) {
      const dead = state.deadLetter;
      deadTasks.push({
        ...ref,
        nextRun: iso(dead.retryAtMs) ?? new Date(now).toISOString(),
        lastError: redactSecrets(dead.lastError),
        failures: dead.failures,
        reason: dead.reason,
        retryAtMs: dead.retryAtMs,
      });
    }
    if (state && (state.breaker.state !== 'closed' || state.breaker.failures > 0)) {
      breakers.push({
        ...ref,
        state: state.breaker.state,
        failures: state.breaker.failures,
        retryAt: iso(state.breaker.retryAtMs),
      });
    }
    staleness.push({
      ...ref,
      score: stalenessScore(state, now, typeOpts.intervals.maxMs),
      lastSuccess: iso(state?.lastSuccessAtMs),
      lastError: iso(state?.lastError?.atMs),
    });
    instances.push(instanceHealth(snap, key, now, typeOpts, iso, summarizeConnection));
  }

  deadTasks.sort((a, b) => a.retryAtMs - b.retryAtMs || compareText(a.key, b.key));
  const perType: Record<string, number> = {};
  for (const type of [...perTypeCounts.keys()].sort(compareText)) perType[type] = perTypeCounts.get(type)!;

  const health: SchedulerHealth = {
    updatedAt: new Date(now).toISOString(),
    enabled: options.polling.enabled,
    queue: { depth, dueWithinSeconds: dueSoon, perType },
    deadLetter: {
      count: deadTasks.length,
      tasks: deadTasks.slice(0, taskLimit).map(({ retryAtMs: _retryAtMs, ...task }) => task),
    },
    breakers,
    staleness,
    instances,
  };
  if (extras.replicas) {
    health.replicas = [...extras.replicas]
      .sort((a, b) => compareText(a.id, b.id))
      .map((r) => ({
        id: r.id,
        status: r.status,
        lastHeartbeat: iso(r.lastHeartbeatAtMs),
        startedAt: iso(r.startedAtMs),
      }));
  }
  if (extras.persistence) {
    const p = extras.persistence;
    health.persistence = {
      up: p.up,
      pendingWrites: p.pendingWrites,
      lastErrorAt: iso(p.lastErrorAtMs),
      lastError: p.lastError === null ? null : redactSecrets(p.lastError),
    };
  }
  return health;
}
