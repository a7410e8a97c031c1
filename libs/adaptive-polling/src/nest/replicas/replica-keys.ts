/** Redis keys of replica heartbeats, all under the engine's replica prefix (named as in seed 003). */
export interface ReplicaKeys {
  /** String with TTL: the replica's heartbeat (JSON ReplicaRecord). */
  heartbeat(id: string): string;
  /** String with TTL: written on graceful shutdown. */
  shutdownMarker(id: string): string;
  /** Hash id -> JSON KnownReplica: every replica seen recently. */
  known: string;
}

export function replicaKeys(replicaPrefix: string): ReplicaKeys {
  return {
    heartbeat: (id) => `${replicaPrefix}:heartbeat:${id}`,
    shutdownMarker: (id) => `${replicaPrefix}:shutdown:${id}`,
    known: `${replicaPrefix}:known`,
  };
}

/** What a replica writes about itself. */
export interface ReplicaRecord {
  id: string;
  host: string;
  pid: number;
  startedAtMs: number;
  /** When this record was written. */
  atMs: number;
  /** Whether its poll worker was running then; null in records of versions that did not say. */
  workerRunning: boolean | null;
}

/** The directory's memory of a replica. */
export interface KnownReplica extends ReplicaRecord {
  /** Set by a graceful shutdown: the replica is scaled_down for good, even after its marker expired. */
  stoppedAtMs: number | null;
}

export function parseKnownReplica(raw: string | null | undefined): KnownReplica | null {
  if (!raw) return null;
  try {
    const value = JSON.parse(raw) as Partial<KnownReplica>;
    if (typeof value.id !== 'string' || typeof value.atMs !== 'number') return null;
    return {
      id: value.id,
      host: typeof value.host === 'string' ? value.host : 'unknown',
      pid: typeof value.pid === 'number' ? value.pid : 0,
      startedAtMs: typeof value.startedAtMs === 'number' ? value.startedAtMs : value.atMs,
      atMs: value.atMs,
      stoppedAtMs: typeof value.stoppedAtMs === 'number' ? value.stoppedAtMs : null,
      workerRunning: typeof value.workerRunning === 'boolean' ? value.workerRunning : null,
    };
  } catch {
    return null;
  }
}
