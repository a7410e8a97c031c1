import type { PollingOptionsInput } from '../core/options';
import type { TargetInput } from '../core/target';
import type { Clock, FailureClassifier, IntervalPolicy, RandomSource } from '../core/types';
import type { RedisConnectionInput } from '../engine/redis-connection';
import type { AdaptivePollingApiOptions } from './api/api-options';
import type { AdaptivePollingMetricsOptions } from './metrics/metrics-options';
import type { AdaptivePollingHousekeepingOptions } from './housekeeping/housekeeping-options';
import type { AdaptivePollingReplicaOptions } from './replicas/replica-options';

/** Options of `AdaptivePollingModule.forRoot()` / `forRootAsync()`. */
export interface AdaptivePollingModuleOptions {
  /** Redis: a URL, ioredis options, an existing ioredis client, or an ioredis Cluster. */
  redis: RedisConnectionInput;
  /** BullMQ queue name (default `adaptive-polling`). */
  queueName?: string;
  /** BullMQ key prefix (default `bull`); with queueName, keeps two apps on one Redis apart. */
  prefix?: string;
  /**
   * BullMQ queues the schedule is split over (default 1, at most 64): a target's job lives in the
   * queue its key hashes to, and every worker process works every queue. On a Redis Cluster each
   * queue has its own hash tag, so the shards spread over the cluster's nodes. Same on every replica.
   */
  shards?: number;
  /** Interval, policy, backoff, breaker and dead-letter options; env and system.json may override. */
  polling?: PollingOptionsInput;
  /** Path of a `system.json` with `adaptivePolling*` settings (integer seconds); missing file = none. */
  systemJsonPath?: string;
  /** Environment to read `ADAPTIVE_POLLING_*` from (default process.env; `false` to ignore env). */
  env?: Record<string, string | undefined> | false;
  /** Targets known at start-up; more can be added through TargetRegistryService. */
  targets?: TargetInput[];
  /** Custom interval policies; one named like a built-in replaces it. */
  policies?: IntervalPolicy[];
  /** Overrides the built-in failure classification where it returns a value. */
  classifier?: FailureClassifier;
  /** Polls at once in this process (default min(targets, 10)). */
  concurrency?: number;
  /** Polls at once across every process sharing the queue (default: no cap; kept in Redis, so a worker started without it removes the cap). */
  globalConcurrency?: number;
  /** BullMQ lock period in ms; the stalled check runs every half of it (default 4000; same on every replica). */
  stalledIntervalMs?: number;
  /** How long shutdown waits for running polls before aborting them, ms (default 10000). */
  shutdownGraceMs?: number;
  /** How often each replica checks every target has its job, ms (default 5000). */
  reconcileIntervalMs?: number;
  /** Run polls in this process (default true); false serves the API only. */
  worker?: boolean;
  /**
   * Health and management REST API: auth (token, host guard, or `auth: false`
   * on purpose) and base path; `false` serves no routes (a worker-only replica).
   */
  api?: AdaptivePollingApiOptions | false;
  /** Prometheus metrics. */
  metrics?: AdaptivePollingMetricsOptions;
  /** Replica heartbeats: period, TTLs (seed 003). */
  replicas?: AdaptivePollingReplicaOptions;
  /** Housekeeping tasks (dead-letter sweep, rollups, janitor), one replica at a time. */
  housekeeping?: AdaptivePollingHousekeepingOptions;
  /** Injected clock and random source (tests). */
  clock?: Clock;
  random?: RandomSource;
}

export const DEFAULT_QUEUE_NAME = 'adaptive-polling';
export const DEFAULT_PREFIX = 'bull';
// A dead replica's lock expires within this period; the stalled check runs
// every half of it (see PollingEngine.startWorker), so the takeover takes at
// most about 2x this (measured 12.0 s once with checks every 4 s, when a
// check was skipped): 4 s keeps it inside the 10 s promise.
export const DEFAULT_STALLED_INTERVAL_MS = 4_000;
export const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;
export const DEFAULT_RECONCILE_INTERVAL_MS = 5_000;
