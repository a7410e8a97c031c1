import type { BreakerStateName, DeadLetterReason, FailureCategory, FailureKind } from '../../core/types';
import type { ReplicaStatus } from '../extension-points';

/**
 * The document of `GET /api/monitoring/scheduler/health` (SPEC 5). Times are
 * ISO-8601 strings, absent times are `null` (never a zero date), arrays are
 * sorted (by target key unless said otherwise), empty collections are `[]` /
 * `{}`. Nothing in it comes from a target's secrets. Every section covers
 * the whole fleet except `instances`, which is one page of it (`page`).
 */
export interface SchedulerHealth {
  updatedAt: string;
  /** Adaptive polling on (off: every target polls at its fixed cadence). */
  enabled: boolean;
  queue: QueueHealth;
  deadLetter: DeadLetterHealth;
  /** Breakers that are not closed or have counted failures. */
  breakers: BreakerHealth[];
  /** The stalest targets (STALENESS_LIST_LIMIT), stalest first. */
  staleness: StalenessHealth[];
  /** The page of the fleet's instances (by key) this document carries: see `page`. */
  instances: InstanceHealth[];
  /** Which slice of the key-sorted instance list `instances` is; `total` is the whole fleet. */
  page: HealthPage;
  /** Present when a replica directory is registered: replicas sharing this queue, by id. */
  replicas?: ReplicaHealth[];
  /** Present instead of `replicas` when the heartbeats could not be read (secrets redacted). */
  replicasError?: string;
  /** Present when persistence is enabled: whether the database answers. */
  persistence?: PersistenceHealth;
}

export interface HealthPage {
  /** Position of the first entry of `instances` in the key-sorted list of every instance. */
  offset: number;
  /** The most entries asked for (`instances` is shorter at the end of the list). */
  limit: number;
  /** Instances in the fleet. */
  total: number;
}

export interface QueueHealth {
  /** Scheduled jobs of targets that are neither paused nor dead-lettered. */
  depth: number;
  /** How many of them are due within the next 12 seconds (overdue included, running excluded). */
  dueWithinSeconds: number;
  /** depth per target type, types sorted. */
  perType: Record<string, number>;
}

export interface DeadLetterHealth {
  count: number;
  /** Up to 25 entries, soonest retry first (then by key). */
  tasks: DeadLetterTaskHealth[];
}

/** Identifies a target in the fleet-wide lists: `instance` is its name, `key` is `type::name`. */
export interface TargetRefHealth {
  instance: string;
  type: string;
  key: string;
}

export interface DeadLetterTaskHealth extends TargetRefHealth {
  /** When the one retry attempt runs. */
  nextRun: string;
  lastError: string;
  failures: number;
  reason: DeadLetterReason;
}

export interface BreakerHealth extends TargetRefHealth {
  state: BreakerStateName;
  failures: number;
  retryAt: string | null;
}

export interface StalenessHealth extends TargetRefHealth {
  /** min(age since last success / max interval, 1); 1 if never succeeded. */
  score: number;
  lastSuccess: string | null;
  /** When the last failure happened. */
  lastError: string | null;
}

export interface LastErrorHealth {
  at: string;
  message: string;
  kind: FailureKind;
  category: FailureCategory;
}

export interface PollStatusHealth {
  lastPoll: string | null;
  lastSuccess: string | null;
  /** When the poll result last differed from the one before. */
  lastChange: string | null;
  lastError: LastErrorHealth | null;
  consecutiveFailures: number;
  stalenessScore: number;
  totals: { polls: number; failures: number; changes: number };
}

export interface InstanceBreakerHealth {
  state: BreakerStateName;
  failures: number;
  generation: number;
  openedAt: string | null;
  retryAt: string | null;
}

export interface InstanceDeadLetterHealth {
  present: boolean;
  reason: DeadLetterReason | null;
  enteredAt: string | null;
  retryAt: string | null;
  failures: number;
  lastError: string | null;
  parkedCount: number;
}

/** A connection value safe to show: secret-named fields dropped, credentials in URLs masked. */
export type SafeConnectionValue = string | number | boolean | null | SafeConnectionValue[] | SafeConnection;
export interface SafeConnection {
  [field: string]: SafeConnectionValue;
}

export interface InstanceHealth {
  key: string;
  type: string;
  displayName: string;
  /** The target's name. */
  instance: string;
  connection: SafeConnection;
  pollStatus: PollStatusHealth;
  breaker: InstanceBreakerHealth;
  deadLetter: InstanceDeadLetterHealth;
  /** Human-readable problems, sorted; `[]` when healthy. */
  warnings: string[];
  /** Interval chosen after the last poll, ms; null before the first. */
  currentIntervalMs: number | null;
  nextRun: string | null;
  paused: boolean;
  /** A poll is running right now (on any replica). */
  running: boolean;
  /** The target has its job in Redis. */
  scheduled: boolean;
}

export interface ReplicaHealth {
  id: string;
  status: ReplicaStatus;
  lastHeartbeat: string | null;
  startedAt: string | null;
  /** Whether its poll worker runs, from its last heartbeat; null when not alive or not reported. */
  workerRunning: boolean | null;
}

export interface PersistenceHealth {
  up: boolean;
  pendingWrites: number;
  lastErrorAt: string | null;
  lastError: string | null;
}
