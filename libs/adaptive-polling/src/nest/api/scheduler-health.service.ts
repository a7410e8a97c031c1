import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  ADAPTIVE_POLLING_PERSISTENCE_STATUS,
  ADAPTIVE_POLLING_REPLICA_DIRECTORY,
  type PersistenceStatusSource,
  type ReplicaDirectory,
} from '../extension-points';
import { PollingEngineHost } from '../polling-engine.host';
import { ADAPTIVE_POLLING_API_CONFIG, type ResolvedApiConfig } from './api-config';
import { safeConnectionSummary } from './safe-connection';
import { buildSchedulerHealth, type SchedulerHealthExtras } from './scheduler-health.builder';
import type { SafeConnection, SchedulerHealth } from './scheduler-health.types';

interface CachedHealth {
  /** performance.now() when the read started. */
  startedAt: number;
  value: Promise<SchedulerHealth>;
  /** The same document serialised, made on the first request for it. */
  json: Promise<string> | null;
  /** The read has succeeded. */
  ready: boolean;
  /** Invalidation generation the read started in. */
  generation: number;
}

/** A document may be served while it is refreshed for up to this many cache periods. */
const STALE_PERIODS = 10;

/**
 * Reads every target's state (two pipelined Redis reads) and builds the
 * health document. Reuses one document for `api.healthCacheMs` (default 1 s)
 * and shares a read in flight, so dashboards polling a 10,000-target fleet
 * cost one read per second. Once a document is older than that, the next
 * request still gets it (stale-while-revalidate, for up to 10 periods; its
 * `updatedAt` says how old) while a fresh one is built in the background, so
 * requests do not wait for a rebuild. Management actions invalidate it: the
 * next request waits for a fresh read. `healthCacheMs: 0` reads every time.
 */
@Injectable()
export class SchedulerHealthService {
  private cached: CachedHealth | null = null;
  /** A background refresh in flight. */
  private refreshing: CachedHealth | null = null;
  private generation = 0;
  /**
   * Safe summaries by connection object: the engine keeps a target's
   * definition (and its connection object) until the target changes, so a
   * summary is computed once per change, not once per read.
   */
  private readonly connectionSummaries = new WeakMap<object, SafeConnection>();

  constructor(
    private readonly host: PollingEngineHost,
    @Inject(ADAPTIVE_POLLING_API_CONFIG) private readonly apiConfig: ResolvedApiConfig,
    @Optional() @Inject(ADAPTIVE_POLLING_REPLICA_DIRECTORY) private readonly replicas?: ReplicaDirectory,
    @Optional() @Inject(ADAPTIVE_POLLING_PERSISTENCE_STATUS) private readonly persistence?: PersistenceStatusSource,
  ) {}

  /** The health document (see the class comment for how old it may be). */
  health(): Promise<SchedulerHealth> {
    return this.current().value;
  }

  /**
   * The health document as JSON text, serialised once per cached document:
   * on a 10,000-target fleet the text is megabytes, so the route sends this.
   */
  healthJson(): Promise<string> {
    return serialised(this.current());
  }

  /** Drops the cached document (after a management action): the next request reads afresh. */
  invalidate(): void {
    this.generation++;
    this.cached = null;
    this.refreshing = null;
  }

  private current(): CachedHealth {
    const ttl = this.apiConfig.healthCacheMs;
    const now = performance.now();
    const cached = this.cached;
    if (cached && now - cached.startedAt < ttl) return cached;
    if (cached?.ready && now - cached.startedAt < ttl * STALE_PERIODS) {
      this.refreshInBackground(now);
      return cached;
    }
    // Nothing usable: wait for a read (sharing a refresh already in flight).
    const entry = this.refreshing ?? this.startRead(now);
    this.refreshing = null;
    this.cached = entry;
    return entry;
  }

  private refreshInBackground(now: number): void {
    if (this.refreshing) return;
    const entry = this.startRead(now);
    this.refreshing = entry;
    // Swap it in once built and serialised, so no request waits for either.
    serialised(entry).then(
      () => {
        if (this.refreshing !== entry) return;
        this.refreshing = null;
        if (entry.generation === this.generation) this.cached = entry;
      },
      () => undefined,
    );
  }

  private startRead(now: number): CachedHealth {
    const entry: CachedHealth = { startedAt: now, value: this.read(), json: null, ready: false, generation: this.generation };
    entry.value.then(
      () => {
        entry.ready = true;
      },
      () => {
        // A failed read is not reused.
        if (this.cached === entry) this.cached = null;
        if (this.refreshing === entry) this.refreshing = null;
      },
    );
    return entry;
  }

  private async read(): Promise<SchedulerHealth> {
    const { engine, config } = this.host;
    const [snapshots, extras] = await Promise.all([engine.snapshots(), this.extras()]);
    return buildSchedulerHealth(
      snapshots,
      config.clock(),
      { polling: config.polling, summarizeConnection: (connection) => this.summarize(connection) },
      extras,
    );
  }

  private summarize(connection: Record<string, unknown>): SafeConnection {
    let summary = this.connectionSummaries.get(connection);
    if (!summary) {
      summary = safeConnectionSummary(connection);
      this.connectionSummaries.set(connection, summary);
    }
    return summary;
  }

  private async extras(): Promise<SchedulerHealthExtras> {
    const extras: SchedulerHealthExtras = {};
    if (this.replicas) extras.replicas = await this.replicas.replicas();
    if (this.persistence) extras.persistence = this.persistence.status();
    return extras;
  }
}

function serialised(entry: CachedHealth): Promise<string> {
  entry.json ??= entry.value.then((health) => JSON.stringify(health));
  return entry.json;
}
