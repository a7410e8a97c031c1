import { Inject, Injectable } from '@nestjs/common';
import type { ReplicaDirectory, ReplicaInfo, ReplicaStatus } from '../extension-points';
import { PollingEngineHost } from '../polling-engine.host';
import { ADAPTIVE_POLLING_REPLICA_OPTIONS, type ResolvedReplicaOptions } from './replica-options';
import { parseKnownReplica, replicaKeys, type KnownReplica, type ReplicaKeys } from './replica-keys';

/** A replica as the directory reports it, with where it runs. */
export interface ReplicaDetail extends ReplicaInfo {
  host: string;
  pid: number;
  /** Last time it was seen (heartbeat or shutdown). */
  lastSeenAtMs: number;
  workerRunning: boolean | null;
}

/**
 * Lists the replicas sharing this queue: `alive` while the heartbeat key
 * exists; `scaled_down` after a graceful shutdown (marker, or the stop noted
 * in the known set, so the verdict holds after the marker expired);
 * `crashed` when the heartbeat expired without either. Replicas not seen for
 * `knownReplicaRetentionMs` are left out (and pruned by the janitor).
 */
@Injectable()
export class ReplicaDirectoryService implements ReplicaDirectory {
  private readonly keys: ReplicaKeys;

  constructor(
    private readonly host: PollingEngineHost,
    @Inject(ADAPTIVE_POLLING_REPLICA_OPTIONS) private readonly options: ResolvedReplicaOptions,
  ) {
    this.keys = replicaKeys(host.engine.keys.replicaPrefix);
  }

  async replicas(): Promise<ReplicaInfo[]> {
    return (await this.details()).map(({ id, status, lastHeartbeatAtMs, startedAtMs, workerRunning }) => ({
      id,
      status,
      lastHeartbeatAtMs,
      startedAtMs,
      workerRunning,
    }));
  }

  /** Replicas sorted by id, with host and pid. */
  async details(): Promise<ReplicaDetail[]> {
    const redis = this.host.engine.redis;
    const now = Date.now();
    const known = Object.values<string>(await redis.hgetall(this.keys.known))
      .map(parseKnownReplica)
      .filter((r): r is KnownReplica => r !== null && now - r.atMs <= this.options.knownReplicaRetentionMs);
    if (known.length === 0) return [];
    const pipeline = redis.pipeline();
    for (const r of known) {
      pipeline.get(this.keys.heartbeat(r.id));
      pipeline.exists(this.keys.shutdownMarker(r.id));
    }
    const results = (await pipeline.exec()) ?? [];
    return known
      .map((r, i): ReplicaDetail => {
        const heartbeat = parseKnownReplica(results[2 * i]?.[1] as string | null);
        const marker = results[2 * i + 1]?.[1] === 1;
        let status: ReplicaStatus;
        if (heartbeat) status = 'alive';
        else if (marker || r.stoppedAtMs !== null) status = 'scaled_down';
        else status = 'crashed';
        const lastHeartbeatAtMs = heartbeat?.atMs ?? r.atMs;
        return {
          id: r.id,
          status,
          lastHeartbeatAtMs,
          startedAtMs: r.startedAtMs,
          host: r.host,
          pid: r.pid,
          lastSeenAtMs: Math.max(lastHeartbeatAtMs, r.stoppedAtMs ?? 0),
          workerRunning: heartbeat ? heartbeat.workerRunning : null,
        };
      })
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Replicas with a live heartbeat. */
  async aliveCount(): Promise<number> {
    return (await this.details()).filter((r) => r.status === 'alive').length;
  }

  /** Forgets replicas not seen for the retention period (and unreadable entries); returns how many. */
  async prune(): Promise<number> {
    const redis = this.host.engine.redis;
    const now = Date.now();
    const all = await redis.hgetall(this.keys.known);
    const stale: string[] = [];
    for (const [id, raw] of Object.entries(all)) {
      const r = parseKnownReplica(raw);
      if (!r || now - Math.max(r.atMs, r.stoppedAtMs ?? 0) > this.options.knownReplicaRetentionMs) stale.push(id);
    }
    // A replica whose heartbeat is still alive is never forgotten.
    const live = stale.length > 0 ? await redis.mget(...stale.map((id) => this.keys.heartbeat(id))) : [];
    const forget = stale.filter((_, i) => live[i] === null);
    if (forget.length > 0) await redis.hdel(this.keys.known, ...forget);
    return forget.length;
  }
}
