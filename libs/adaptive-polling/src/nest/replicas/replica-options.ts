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

function positive(value: number | undefined, fallback: number, field: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new TypeError(`replicas.${field} must be a positive number of milliseconds (got ${String(value)})`);
  }
  return value;
}

export function resolveReplicaOptions(options: AdaptivePollingReplicaOptions = {}): ResolvedReplicaOptions {
  const resolved = {
    id: options.id?.trim() ? options.id.trim() : null,
    heartbeatIntervalMs: positive(options.heartbeatIntervalMs, 5_000, 'heartbeatIntervalMs'),
    heartbeatTtlMs: positive(options.heartbeatTtlMs, 15_000, 'heartbeatTtlMs'),
    shutdownMarkerTtlMs: positive(options.shutdownMarkerTtlMs, 120_000, 'shutdownMarkerTtlMs'),
    knownReplicaRetentionMs: positive(options.knownReplicaRetentionMs, 3_600_000, 'knownReplicaRetentionMs'),
  };
  if (resolved.heartbeatTtlMs <= resolved.heartbeatIntervalMs) {
    throw new TypeError('replicas.heartbeatTtlMs must be longer than replicas.heartbeatIntervalMs');
  }
  return resolved;
}
