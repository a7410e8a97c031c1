/**
 * Optional providers other parts of the module (persistence, heartbeats) fill
 * in, read by the health API. Absent providers simply leave their section out.
 */

export type ReplicaStatus = 'alive' | 'scaled_down' | 'crashed';

export interface ReplicaInfo {
  id: string;
  status: ReplicaStatus;
  lastHeartbeatAtMs: number | null;
  startedAtMs: number | null;
  /** Whether its poll worker runs (from its last heartbeat); null when unknown (not alive, or not reported). */
  workerRunning?: boolean | null;
}

/** Lists replicas of this queue (heartbeats in Redis). */
export interface ReplicaDirectory {
  replicas(): Promise<ReplicaInfo[]>;
}
export const ADAPTIVE_POLLING_REPLICA_DIRECTORY = Symbol('ADAPTIVE_POLLING_REPLICA_DIRECTORY');

export interface PersistenceStatus {
  /** True while the database answers. */
  up: boolean;
  /** Writes waiting to be retried. */
  pendingWrites: number;
  lastErrorAtMs: number | null;
  lastError: string | null;
}

/** The database's state, so an outage shows in health and metrics. */
export interface PersistenceStatusSource {
  status(): PersistenceStatus;
}
export const ADAPTIVE_POLLING_PERSISTENCE_STATUS = Symbol('ADAPTIVE_POLLING_PERSISTENCE_STATUS');

/** Counts failed database writes (the Prometheus module registers one when it is imported). */
export interface PersistenceWriteFailureCounter {
  incPersistenceWriteFailures(count?: number): void;
}
export const ADAPTIVE_POLLING_WRITE_FAILURE_COUNTER = Symbol('ADAPTIVE_POLLING_WRITE_FAILURE_COUNTER');
