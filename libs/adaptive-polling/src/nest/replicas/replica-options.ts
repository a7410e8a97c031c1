import { checkPositiveNumber, configurationError } from '../../core/config-checks';
import type { OptionProblem } from '../../core/types';

/** Replica heartbeats (seed 003): which processes sharing the queue are alive. */
export interface AdaptivePollingReplicaOptions {
  /** This process's replica id (default `<host>-<pid>-<random>`). */
  id?: string;
  /** Heartbeat period, ms (default 5000). */
  heartbeatIntervalMs?: number;
  /** Heartbeat key lifetime, ms (default 15000): a replica silent this long is no longer alive. */
  heartbeatTtlMs?: number;
  /** Shutdown marker lifetime, ms (default 120000). */
  shutdownMarkerTtlMs?: number;
  /** Replicas not seen for this long are forgotten, ms (default 3600000). */
  knownReplicaRetentionMs?: number;
}

export interface ResolvedReplicaOptions {
  id: string | null;
  heartbeatIntervalMs: number;
  heartbeatTtlMs: number;
  shutdownMarkerTtlMs: number;
  knownReplicaRetentionMs: number;
}

export const ADAPTIVE_POLLING_REPLICA_OPTIONS = Symbol('ADAPTIVE_POLLING_REPLICA_OPTIONS');

const DEFAULTS = {
  heartbeatIntervalMs: 5_000,
  heartbeatTtlMs: 15_000,
  shutdownMarkerTtlMs: 120_000,
  knownReplicaRetentionMs: 3_600_000,
} as const;

/** Fills in defaults; throws one PollingOptionsError listing every problem. */
export function resolveReplicaOptions(options: AdaptivePollingReplicaOptions = {}): ResolvedReplicaOptions {
  const problems: OptionProblem[] = [];
  const given: Partial<Record<keyof typeof DEFAULTS, unknown>> = options;
  for (const field of Object.keys(DEFAULTS) as Array<keyof typeof DEFAULTS>) {
    checkPositiveNumber(given[field], `replicas.${field}`, problems);
  }
  if (options.id !== undefined && typeof options.id !== 'string') {
    problems.push({ field: 'replicas.id', message: 'must be a string' });
  }
  const resolved = {
    id: typeof options.id === 'string' && options.id.trim() ? options.id.trim() : null,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? DEFAULTS.heartbeatIntervalMs,
    heartbeatTtlMs: options.heartbeatTtlMs ?? DEFAULTS.heartbeatTtlMs,
    shutdownMarkerTtlMs: options.shutdownMarkerTtlMs ?? DEFAULTS.shutdownMarkerTtlMs,
    knownReplicaRetentionMs: options.knownReplicaRetentionMs ?? DEFAULTS.knownReplicaRetentionMs,
  };
  if (problems.length === 0 && resolved.heartbeatTtlMs <= resolved.heartbeatIntervalMs) {
    problems.push({ field: 'replicas.heartbeatTtlMs', message: 'must be longer than replicas.heartbeatIntervalMs' });
  }
  if (problems.length > 0) throw configurationError(problems);
  return resolved;
}
