import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { isRedisReady, whenConnected, type OwnedRedis } from '../../engine/redis-connection';
import { describeError } from '../../core/redact';
import { closeAuxiliaryRedis, openAuxiliaryRedis, withinBound } from './auxiliary-redis';
import { PollingEngineHost } from '../polling-engine.host';
import { ADAPTIVE_POLLING_REPLICA_OPTIONS, type ResolvedReplicaOptions } from './replica-options';
import { replicaKeys, type KnownReplica, type ReplicaKeys, type ReplicaRecord } from './replica-keys';

/**
 * This process's heartbeat (seed 003): every `heartbeatIntervalMs` it writes
 * its record with a `heartbeatTtlMs` TTL and refreshes its entry in the set
 * of known replicas. On graceful shutdown (beforeApplicationShutdown, while
 * the engine drains its polls) it writes a shutdown marker, deletes its
 * heartbeat and marks itself stopped, so the directory reports `scaled_down`
 * rather than `crashed`. Every shutdown write is bounded in time: a host may
 * already be tearing Redis down.
 *
 * The record says whether this replica's poll worker runs: a process whose
 * worker stopped is up but polls nothing.
 *
 * Uses its own Redis connection, independent of the engine's.
 */
@Injectable()
export class ReplicaHeartbeat implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('AdaptivePollingReplicas');
  readonly id: string;
  readonly keys: ReplicaKeys;
  private readonly startedAtMs = Date.now();
  private redis: OwnedRedis | null = null;
  private timer: NodeJS.Timeout | null = null;
  private failing = false;

  constructor(
    private readonly host: PollingEngineHost,
    @Inject(ADAPTIVE_POLLING_REPLICA_OPTIONS) private readonly options: ResolvedReplicaOptions,
  ) {
    this.id = options.id ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.keys = replicaKeys(host.engine.keys.replicaPrefix);
  }

  async onApplicationBootstrap(): Promise<void> {
    this.redis = openAuxiliaryRedis(this.host.config.module.redis, 'adaptive-polling:replica', this.logger);
    // With Redis unreachable the app starts anyway; the timer writes once it is back.
    if (await whenConnected(this.redis.client)) await this.beat();
    this.timer = setInterval(() => void this.beat(), this.options.heartbeatIntervalMs);
    this.timer.unref();
  }

  /** Graceful exit: the shutdown marker, written once. */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const redis = this.redis;
    if (!redis) return;
    if (!isRedisReady(redis.client)) {
      // The heartbeat expires on its own: the directory will say crashed, which is all that can be known.
      this.logger.warn(`replica ${this.id}: shutdown marker not written: Redis is not connected`);
      return;
    }
    const now = Date.now();
    const record = this.record(now);
    const known: KnownReplica = { ...record, stoppedAtMs: now };
    const written = await withinBound(
      redis.client
        .multi()
        .set(this.keys.shutdownMarker(this.id), JSON.stringify(record), 'PX', this.options.shutdownMarkerTtlMs)
        .del(this.keys.heartbeat(this.id))
        .hset(this.keys.known, this.id, JSON.stringify(known))
        .exec()
        .then(
          () => true,
          (error: unknown) => {
            this.logger.warn(`replica ${this.id}: shutdown marker not written: ${describeError(error)}`);
            return true;
          },
        ),
    );
    if (!written) this.logger.warn(`replica ${this.id}: shutdown marker not written: Redis did not answer in time`);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const redis = this.redis;
    this.redis = null;
    await closeAuxiliaryRedis(redis);
  }

  /** Writes the heartbeat now (also called by the timer). */
  async beat(): Promise<void> {
    const redis = this.redis;
    // Not queued while Redis is gone: a late heartbeat would claim a liveness that was not there.
    if (!redis || !isRedisReady(redis.client)) return;
    const now = Date.now();
    const record = this.record(now);
    const known: KnownReplica = { ...record, stoppedAtMs: null };
    try {
      await redis.client
        .multi()
        .set(this.keys.heartbeat(this.id), JSON.stringify(record), 'PX', this.options.heartbeatTtlMs)
        .hset(this.keys.known, this.id, JSON.stringify(known))
        .exec();
      if (this.failing) this.logger.log(`replica ${this.id}: heartbeat written again`);
      this.failing = false;
    } catch (error) {
      if (!this.failing) {
        this.logger.warn(`replica ${this.id}: heartbeat not written: ${describeError(error)}`);
      }
      this.failing = true;
    }
  }

  private record(atMs: number): ReplicaRecord {
    return {
      id: this.id,
      host: hostname(),
      pid: process.pid,
      startedAtMs: this.startedAtMs,
      atMs,
      workerRunning: this.host.engine.isWorkerRunning,
    };
  }
}
