import { DUE_SOON_WINDOW_MS, isBreakerTroubled, isDueSoon, isQueued } from '../../core/schedule-rules';
import { optionsForType } from '../../core/options';
import { redactSecrets } from '../../core/redact';
import { targetKey } from '../../core/target';
import type { ResolvedPollingOptions, TypePollingOptions } from '../../core/types';
import type { TargetSnapshot } from '../../engine/polling-engine';
import type { PersistenceStatus, ReplicaInfo } from '../extension-points';
import { createIsoFormatter } from './iso-time';
import { safeConnectionSummary } from './safe-connection';
import { compareText, instanceHealth, stalenessScore } from './scheduler-health.instance';
import type {
  BreakerHealth,
  DeadLetterTaskHealth,
  HealthPage,
  InstanceHealth,
  SafeConnection,
  SchedulerHealth,
  StalenessHealth,
} from './scheduler-health.types';

export { isoOrNull } from './iso-time';
export { compareText, stalenessScore } from './scheduler-health.instance';

/** The seed's "due soon" window: 12 seconds. */
export { DUE_SOON_WINDOW_MS } from '../../core/schedule-rules';
/** Dead-letter entries listed in full. */
export const DEAD_LETTER_TASK_LIMIT = 25;
/** `staleness` lists the stalest targets up to this many, not the whole fleet (which would grow the document with it). */
export const STALENESS_LIST_LIMIT = 100;
/** `instances[]` entries a request gets unless it asks for another `limit`. */
export const DEFAULT_HEALTH_PAGE_LIMIT = 500;
/** The largest `limit` accepted: enough for the whole fleet in one response. */
export const MAX_HEALTH_PAGE_LIMIT = 100_000;
export const DEFAULT_HEALTH_PAGE: HealthPageRequest = { offset: 0, limit: DEFAULT_HEALTH_PAGE_LIMIT };
export const FULL_HEALTH_PAGE: HealthPageRequest = { offset: 0, limit: MAX_HEALTH_PAGE_LIMIT };

/** Which slice of the key-sorted `instances[]` a document carries. */
export type HealthPageRequest = Omit<HealthPage, 'total'>;

export interface SchedulerHealthOptions {
  polling: ResolvedPollingOptions;
  dueWindowMs?: number;
  deadLetterTaskLimit?: number;
  stalenessLimit?: number;
  /** How a connection is shown (default `safeConnectionSummary`; a caller may memoise it). */
  summarizeConnection?: (connection: Record<string, unknown>) => SafeConnection;
}

/** Sections filled by optional providers; an absent one leaves its section out. */
export interface SchedulerHealthExtras {
  replicas?: ReplicaInfo[];
  /** The replica directory could not be read (message already secret-free). */
  replicasError?: string;
  persistence?: PersistenceStatus;
}

/** The document's sections that cover the whole fleet, in document order (all but `instances` and `page`). */
export type FleetHealthSections = Omit<SchedulerHealth, 'instances' | 'page'>;

/** The fleet-wide sections of one read and the key-sorted target keys its pages are cut from. */
export interface FleetSectionsAndKeys {
  readonly sections: FleetHealthSections;
  /** Target keys in document order (code-point order). */
  readonly keys: readonly string[];
}

/**
 * The fleet-wide part of the health document, computed once per read.
 * `instances[]` entries are built only for the page a request asks for:
 * building 10,000 of them (and serialising them) is most of the cost of a
 * whole document, and most requests want the first page.
 */
export interface SchedulerHealthFleet {
  readonly sections: FleetHealthSections;
  /** Target keys in document order (code-point order). */
  readonly keys: readonly string[];
  /** The `instances[]` entry at a position of `keys`. */
  instanceAt(index: number): InstanceHealth;
}

/**
 * Builds the scheduler health document (SPEC 5) from every target's
 * snapshot, with the requested page of `instances[]` (default: all of them,
 * up to MAX_HEALTH_PAGE_LIMIT). Pure: time comes in as `now`, nothing is
 * read or written.
 */
export function buildSchedulerHealth(
  snapshots: readonly TargetSnapshot[],
  now: number,
  options: SchedulerHealthOptions,
  extras: SchedulerHealthExtras = {},
  page: HealthPageRequest = FULL_HEALTH_PAGE,
): SchedulerHealth {
  return schedulerHealthPage(summarizeSchedulerFleet(snapshots, now, options, extras), page);
}

/** The document for one page of `instances[]`: the fleet-wide sections as they are, plus that page. */
export function schedulerHealthPage(fleet: SchedulerHealthFleet, page: HealthPageRequest): SchedulerHealth {
  return healthDocument(fleet, page, pageInstances(fleet, page));
}

/** The document of one page whose `instances[]` entries are already built. */
export function healthDocument(fleet: FleetSectionsAndKeys, page: HealthPageRequest, instances: InstanceHealth[]): SchedulerHealth {
  const { replicas, replicasError, persistence, ...sections } = fleet.sections;
  const health: SchedulerHealth = { ...sections, instances, page: pageOf(fleet, page) };
  if (replicas) health.replicas = replicas;
  if (replicasError !== undefined) health.replicasError = replicasError;
  if (persistence) health.persistence = persistence;
  return health;
}

export function pageInstances(fleet: SchedulerHealthFleet, page: HealthPageRequest): InstanceHealth[] {
  const end = Math.min(fleet.keys.length, page.offset + page.limit);
  const out: InstanceHealth[] = [];
  for (let i = page.offset; i < end; i++) out.push(fleet.instanceAt(i));
  return out;
}

export function pageOf(fleet: FleetSectionsAndKeys, page: HealthPageRequest): HealthPage {
  return { offset: page.offset, limit: page.limit, total: fleet.keys.length };
}

/**
 * The fleet-wide sections (queue, dead letters, breakers, staleness,
 * replicas, persistence) of every target. Linear in the fleet plus one sort
 * of the keys.
 */
export function summarizeSchedulerFleet(
  snapshots: readonly TargetSnapshot[],
  now: number,
  options: SchedulerHealthOptions,
  extras: SchedulerHealthExtras = {},
): SchedulerHealthFleet {
  const dueWindowMs = options.dueWindowMs ?? DUE_SOON_WINDOW_MS;
  const taskLimit = options.deadLetterTaskLimit ?? DEAD_LETTER_TASK_LIMIT;
  const iso = createIsoFormatter();
  const summarizeConnection = options.summarizeConnection ?? safeConnectionSummary;
  const typeOptions = new Map<string, TypePollingOptions>();
  const optionsOf = (type: string): TypePollingOptions => {
    let found = typeOptions.get(type);
    if (!found) {
      found = optionsForType(options.polling, type);
      typeOptions.set(type, found);
    }
    return found;
  };
  const { keys, sorted } = sortByKey(snapshots);

  let depth = 0;
  let dueSoon = 0;
  const perTypeCounts = new Map<string, number>();
  const deadTasks: DeadLetterTaskEntry[] = [];
  const breakers: BreakerHealth[] = [];
  const staleness: StalenessHealth[] = [];

  for (let i = 0; i < sorted.length; i++) {
    const snap = sorted[i];
    const key = keys[i];
    const { definition, state } = snap;
    const instance = definition.name;
    const type = definition.type;
    // Literal objects rather than `{ ...ref }` spreads: one object shape per list, built 10,000 times.

    if (isQueued(snap.scheduled, definition.paused, state)) {
      depth++;
      perTypeCounts.set(type, (perTypeCounts.get(type) ?? 0) + 1);
      if (isDueSoon(true, snap.running, state?.nextRunAtMs ?? null, now, dueWindowMs)) dueSoon++;
    }
    const deadTask = deadLetterTaskOf(snap, key, now, iso);
    if (deadTask) deadTasks.push(deadTask);
    const breaker = breakerEntryOf(snap, key, iso);
    if (breaker) breakers.push(breaker);
    staleness.push({
      instance,
      type,
      key,
      score: stalenessScore(state, now, optionsOf(type).intervals.maxMs),
      lastSuccess: iso(state?.lastSuccessAtMs),
      lastError: iso(state?.lastError?.atMs),
    });
  }

  const perType: Record<string, number> = {};
  for (const type of [...perTypeCounts.keys()].sort(compareText)) perType[type] = perTypeCounts.get(type)!;

  const sections: FleetHealthSections = {
    updatedAt: new Date(now).toISOString(),
    enabled: options.polling.enabled,
    queue: { depth, dueWithinSeconds: dueSoon, perType },
    deadLetter: { count: deadTasks.length, tasks: soonestDeadLetters(deadTasks, taskLimit) },
    breakers,
    staleness: stalestFirst(staleness, options.stalenessLimit ?? STALENESS_LIST_LIMIT),
  };
  addExtraSections(sections, extras, iso);
  return {
    sections,
    keys,
    instanceAt: (index) => {
      const snap = sorted[index];
      return instanceHealth(snap, keys[index], now, optionsOf(snap.definition.type), iso, summarizeConnection);
    },
  };
}

/** A dead-letter list entry with its retry time (for ordering). */
export type DeadLetterTaskEntry = DeadLetterTaskHealth & { retryAtMs: number };

/** The `deadLetter.tasks` entry of a target, null when it is not dead-lettered. */
export function deadLetterTaskOf(snap: TargetSnapshot, key: string, now: number, iso: IsoFormat): DeadLetterTaskEntry | null {
  const dead = snap.state?.deadLetter;
  if (!dead) return null;
  const { name: instance, type } = snap.definition;
  return {
    instance,
    type,
    key,
    nextRun: iso(dead.retryAtMs) ?? new Date(now).toISOString(),
    lastError: redactSecrets(dead.lastError),
    failures: dead.failures,
    reason: dead.reason,
    retryAtMs: dead.retryAtMs,
  };
}

/** The first `limit` dead letters, soonest retry first (then by key). */
/**
 * The staleness list's order and cut: the highest score first, then the
 * oldest last success (never succeeded first), then by key.
 */
export function stalestFirst(entries: StalenessHealth[], limit: number): StalenessHealth[] {
  entries.sort((a, b) => b.score - a.score || compareOptionalTime(a.lastSuccess, b.lastSuccess) || compareText(a.key, b.key));
  return entries.length > limit ? entries.slice(0, limit) : entries;
}

/** ISO times in time order, null (never) first. */
function compareOptionalTime(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}

export function soonestDeadLetters(entries: DeadLetterTaskEntry[], limit: number): DeadLetterTaskHealth[] {
  entries.sort((a, b) => a.retryAtMs - b.retryAtMs || compareText(a.key, b.key));
  return entries.slice(0, limit).map(({ retryAtMs: _retryAtMs, ...task }) => task);
}

/** The `breakers` entry of a target: breakers not closed or with failures; null otherwise. */
export function breakerEntryOf(snap: TargetSnapshot, key: string, iso: IsoFormat): BreakerHealth | null {
  const state = snap.state;
  if (!state || !isBreakerTroubled(state.breaker)) return null;
  return {
    instance: snap.definition.name,
    type: snap.definition.type,
    key,
    state: state.breaker.state,
    failures: state.breaker.failures,
    retryAt: iso(state.breaker.retryAtMs),
  };
}

type IsoFormat = (ms: number | null | undefined) => string | null;

/** The sections of optional providers (replicas, persistence), added to `sections` when present. */
export function addExtraSections(sections: FleetHealthSections, extras: SchedulerHealthExtras, iso: IsoFormat): void {
  if (extras.replicas) {
    sections.replicas = [...extras.replicas]
      .sort((a, b) => compareText(a.id, b.id))
      .map((r) => ({
        id: r.id,
        status: r.status,
        lastHeartbeat: iso(r.lastHeartbeatAtMs),
        startedAt: iso(r.startedAtMs),
        workerRunning: r.workerRunning ?? null,
      }));
  }
  if (extras.replicasError !== undefined) sections.replicasError = redactSecrets(extras.replicasError);
  if (extras.persistence) {
    const p = extras.persistence;
    sections.persistence = {
      up: p.up,
      pendingWrites: p.pendingWrites,
      lastErrorAt: iso(p.lastErrorAtMs),
      lastError: p.lastError === null ? null : redactSecrets(p.lastError),
    };
  }
}

/**
 * Snapshots and their keys in code-point order of the keys. Sorts an index
 * array over precomputed keys (no per-comparison key building), and skips
 * the sort when the input is already in order.
 */
function sortByKey(snapshots: readonly TargetSnapshot[]): { keys: string[]; sorted: TargetSnapshot[] } {
  const rawKeys = snapshots.map((snap) => targetKey(snap.definition));
  let inOrder = true;
  for (let i = 1; i < rawKeys.length && inOrder; i++) inOrder = compareText(rawKeys[i - 1], rawKeys[i]) <= 0;
  if (inOrder) return { keys: rawKeys, sorted: [...snapshots] };
  const order = rawKeys.map((_, i) => i).sort((a, b) => compareText(rawKeys[a], rawKeys[b]));
  return { keys: order.map((i) => rawKeys[i]), sorted: order.map((i) => snapshots[i]) };
}
