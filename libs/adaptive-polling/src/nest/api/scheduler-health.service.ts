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
import { optionsForType } from '../../core/options';
import { DUE_SOON_WINDOW_MS } from '../../core/schedule-rules';
import {
  DEAD_LETTER_TASK_LIMIT,
  STALENESS_LIST_LIMIT,
  DEFAULT_HEALTH_PAGE,
  healthDocument,
  summarizeSchedulerFleet,
  type FleetSectionsAndKeys,
  type HealthPageRequest,
  type SchedulerHealthExtras,
  type SchedulerHealthFleet,
  type SchedulerHealthOptions,
} from './scheduler-health.builder';
import { aggregatedFleetSections, pageInstanceEntries, stalestKeys } from './scheduler-health.aggregated';
import { HealthReadCache } from './health-read-cache';
import { SchedulerHealthText } from './scheduler-health.json';
import type { InstanceHealth, SafeConnection, SchedulerHealth } from './scheduler-health.types';

/** One health read: the fleet-wide sections (from the aggregates) and the key-sorted keys pages are cut from. */
interface HealthRead {
  fleet: FleetSectionsAndKeys;
  /** The clock when the read started: every page of it is computed at this time. */
  now: number;
  text: SchedulerHealthText<FleetSectionsAndKeys>;
  /** The default page's entries and its text (the common request), made once per read. */
  defaultEntries: Promise<InstanceHealth[]> | null;
  defaultJson: Promise<string> | null;
}

/**
 * The health document. Its fleet-wide sections come from the per-type fleet
 * aggregates (engine/fleet-aggregates.ts): counts cost a few Redis commands
 * per type, and only the dead letters and breakers it lists are read as
 * snapshots, as are the stalest targets `staleness` lists (at most
 * STALENESS_LIST_LIMIT, from each type's oldest successes).
 * A request then reads only the targets of its page of `instances[]` (the
 * default page is read and serialised once per read). A read is reused for
 * `api.healthCacheMs` (default 1 s), shared while in flight, and served
 * stale while a fresh one is built (see HealthReadCache); management actions
 * invalidate it. The console's fleet view (fleet()) still reads every
 * target, with a cache of its own.
 */
@Injectable()
export class SchedulerHealthService {
  private readonly reads: HealthReadCache<HealthRead>;
  private readonly fullReads: HealthReadCache<SchedulerHealthFleet>;
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
  ) {
    const ttl = () => this.apiConfig.healthCacheMs;
    this.reads = new HealthReadCache(
      ttl,
      () => this.read(),
      (read) => this.defaultPageJson(read),
    );
    this.fullReads = new HealthReadCache(ttl, () => this.readFull());
  }

  /**
   * The health document with one page of `instances[]` (default: the first
   * 500 by key); see the class comment for how old it may be.
   */
  async health(page: HealthPageRequest = DEFAULT_HEALTH_PAGE): Promise<SchedulerHealth> {
    const read = await this.reads.current();
    return healthDocument(read.fleet, page, await this.pageEntries(read, page));
  }

  /**
   * The same document as JSON text, which the route sends: the default page
   * is serialised once per read, other pages per request (the fleet-wide
   * sections only once per read).
   */
  async healthJson(page: HealthPageRequest = DEFAULT_HEALTH_PAGE): Promise<string> {
    const read = await this.reads.current();
    if (isDefaultPage(page)) return this.defaultPageJson(read);
    return read.text.pageWith(page, await this.pageEntries(read, page));
  }

  /** Every target's entry and the fleet-wide sections from one full read (same cache period), for the console. */
  fleet(): Promise<SchedulerHealthFleet> {
    return this.fullReads.current();
  }

  /** Drops the cached documents (after a management action): the next request reads afresh. */
  invalidate(): void {
    this.reads.invalidate();
    this.fullReads.invalidate();
  }

  private defaultPageJson(read: HealthRead): Promise<string> {
    read.defaultJson ??= this.pageEntries(read, DEFAULT_HEALTH_PAGE).then((entries) => read.text.pageWith(DEFAULT_HEALTH_PAGE, entries));
    return read.defaultJson;
  }

  /** Reads only the page's targets (the default page once per read). */
  private pageEntries(read: HealthRead, page: HealthPageRequest): Promise<InstanceHealth[]> {
    if (!isDefaultPage(page)) return this.readPageEntries(read, page);
    read.defaultEntries ??= this.readPageEntries(read, page);
    return read.defaultEntries;
  }

  private async readPageEntries(read: HealthRead, page: HealthPageRequest): Promise<InstanceHealth[]> {
    const keys = read.fleet.keys.slice(page.offset, page.offset + page.limit);
    if (keys.length === 0) return [];
    const snapshots = await this.host.engine.snapshotsOf(keys);
    return pageInstanceEntries(snapshots, read.now, this.builderOptions());
  }

  private async read(): Promise<HealthRead> {
    const { engine, config } = this.host;
    const now = config.clock();
    const maxIntervalMs = (type: string) => optionsForType(config.polling, type).intervals.maxMs;
    const [keys, aggregates, lists, extras] = await Promise.all([
      engine.targetKeysInOrder(),
      engine.fleetAggregates({ nowMs: now, dueWindowMs: DUE_SOON_WINDOW_MS, maxIntervalMs }),
      engine.fleetLists(DEAD_LETTER_TASK_LIMIT, STALENESS_LIST_LIMIT),
      this.extras(),
    ]);
    const listedKeys = [
      ...lists.deadLetterHead.map((entry) => entry.key),
      ...lists.troubledBreakers,
      ...stalestKeys(lists, now, this.builderOptions()),
    ];
    const listed = await engine.snapshotsOf([...new Set(listedKeys)]);
    const sections = aggregatedFleetSections({ aggregates, lists, listed }, now, this.builderOptions(), extras);
    const fleet: FleetSectionsAndKeys = { sections, keys };
    return { fleet, now, text: new SchedulerHealthText(fleet), defaultEntries: null, defaultJson: null };
  }

  private async readFull(): Promise<SchedulerHealthFleet> {
    const { engine, config } = this.host;
    const [snapshots, extras] = await Promise.all([engine.snapshots(), this.extras()]);
    await yieldToEventLoop();
    return summarizeSchedulerFleet(snapshots, config.clock(), this.builderOptions(), extras);
  }

  private builderOptions(): SchedulerHealthOptions {
    return { polling: this.host.config.polling, summarizeConnection: (connection) => this.summarize(connection) };
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

function isDefaultPage(page: HealthPageRequest): boolean {
  return page.offset === DEFAULT_HEALTH_PAGE.offset && page.limit === DEFAULT_HEALTH_PAGE.limit;
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
