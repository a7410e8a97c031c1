import { describeError } from '../../core/redact';
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
import {
  DEFAULT_HEALTH_PAGE,
  schedulerHealthPage,
  summarizeSchedulerFleet,
  type HealthPageRequest,
  type SchedulerHealthExtras,
  type SchedulerHealthFleet,
} from './scheduler-health.builder';
import { SchedulerHealthText } from './scheduler-health.json';
import type { SafeConnection, SchedulerHealth } from './scheduler-health.types';

interface CachedHealth {
  /** performance.now() when the read started. */
  startedAt: number;
  /** The fleet-wide sections; pages of instances are cut from it per request. */
  fleet: Promise<SchedulerHealthFleet>;
  text: Promise<SchedulerHealthText>;
  /** The default page serialised (the common request), made on the first request for it. */
  defaultJson: Promise<string> | null;
  /** The read has succeeded. */
  ready: boolean;
  /** Invalidation generation the read started in. */
  generation: number;
}

/** A document may be served while it is refreshed for up to this many cache periods. */
const STALE_PERIODS = 10;

/**
 * Reads every target's state and builds the fleet-wide part of the health
 * document once per read; a request then only cuts and serialises its page
 * of `instances[]` (the default page's text is kept with the read). Reuses
 * one read for `api.healthCacheMs` (default 1 s) and shares a read in
 * flight, so dashboards polling a 10,000-target fleet cost one read per
 * second. Once a read is older than that, the next request still gets it
 * (stale-while-revalidate, for up to 10 periods; `updatedAt` says how old)
 * while a fresh one is built in the background, so requests do not wait for
 * a rebuild. Management actions invalidate it: the next request waits for a
 * fresh read. `healthCacheMs: 0` reads every time.
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

  /**
   * The health document with one page of `instances[]` (default: the first
   * 500 by key); see the class comment for how old it may be.
   */
  async health(page: HealthPageRequest = DEFAULT_HEALTH_PAGE): Promise<SchedulerHealth> {
    return schedulerHealthPage(await this.current().fleet, page);
  }

  /**
   * The same document as JSON text, which the route sends: the default page
   * is serialised once per read, other pages per request (the fleet-wide
   * sections only once per read).
   */
  async healthJson(page: HealthPageRequest = DEFAULT_HEALTH_PAGE): Promise<string> {
    const entry = this.current();
    if (isDefaultPage(page)) return defaultPageJson(entry);
    return (await entry.text).page(page);
  }

  /** The fleet-wide read the document is cut from (same cache), for views of their own (the console). */
  fleet(): Promise<SchedulerHealthFleet> {
    return this.current().fleet;
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
    defaultPageJson(entry).then(
      () => {
        if (this.refreshing !== entry) return;
        this.refreshing = null;
        if (entry.generation === this.generation) this.cached = entry;
      },
      () => undefined,
    );
  }

  private startRead(now: number): CachedHealth {
    const fleet = this.read();
    const text = fleet.then(async (built) => {
      // The fleet summary and the serialising are long synchronous stretches
      // on a big fleet: let requests waiting on the event loop run in between.
      await yieldToEventLoop();
      return new SchedulerHealthText(built);
    });
    const entry: CachedHealth = { startedAt: now, fleet, text, defaultJson: null, ready: false, generation: this.generation };
    text.then(
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

  private async read(): Promise<SchedulerHealthFleet> {
    const { engine, config } = this.host;
    const [snapshots, extras] = await Promise.all([engine.snapshots(), this.extras()]);
    await yieldToEventLoop();
    return summarizeSchedulerFleet(
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
    if (this.replicas) {
      try {
        extras.replicas = await this.replicas.replicas();
      } catch (error) {
        // Said as such, never as an empty or guessed list.
        extras.replicasError = describeError(error);
      }
    }
    if (this.persistence) extras.persistence = this.persistence.status();
    return extras;
  }
}

function defaultPageJson(entry: CachedHealth): Promise<string> {
  entry.defaultJson ??= entry.text.then((text) => text.page(DEFAULT_HEALTH_PAGE));
  return entry.defaultJson;
}

function isDefaultPage(page: HealthPageRequest): boolean {
  return page.offset === DEFAULT_HEALTH_PAGE.offset && page.limit === DEFAULT_HEALTH_PAGE.limit;
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
