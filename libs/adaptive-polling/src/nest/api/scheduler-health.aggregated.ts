import { stalenessScore } from '../../core/schedule-rules';
import { optionsForType } from '../../core/options';
import { targetKey } from '../../core/target';
import type { TypePollingOptions } from '../../core/types';
import type { FleetLists, TypeAggregate } from '../../engine/fleet-aggregates';
import type { TargetSnapshot } from '../../engine/polling-engine';
import { createIsoFormatter } from './iso-time';
import { safeConnectionSummary } from './safe-connection';
import {
  DEAD_LETTER_TASK_LIMIT,
  STALENESS_LIST_LIMIT,
  addExtraSections,
  breakerEntryOf,
  deadLetterTaskOf,
  soonestDeadLetters,
  stalestFirst,
  type DeadLetterTaskEntry,
  type FleetHealthSections,
  type SchedulerHealthExtras,
  type SchedulerHealthOptions,
} from './scheduler-health.builder';
import { compareText, instanceHealth } from './scheduler-health.instance';
import type { BreakerHealth, InstanceHealth, StalenessHealth } from './scheduler-health.types';

/** What a health read gathers without reading every target's job. */
export interface AggregatedFleetInput {
  aggregates: readonly TypeAggregate[];
  lists: FleetLists;
  /** Snapshots of `lists.deadLetterHead`, `lists.troubledBreakers` and `stalestKeys(lists)` (read fresh: they are few). */
  listed: readonly TargetSnapshot[];
}

/**
 * The health document's fleet-wide sections from the fleet aggregates: the
 * same figures summarizeSchedulerFleet counts from every snapshot, with
 * only the listed dead letters, breakers and stalest targets read as
 * snapshots.
 */
export function aggregatedFleetSections(
  input: AggregatedFleetInput,
  now: number,
  options: SchedulerHealthOptions,
  extras: SchedulerHealthExtras = {},
): FleetHealthSections {
  const iso = createIsoFormatter();
  const taskLimit = options.deadLetterTaskLimit ?? DEAD_LETTER_TASK_LIMIT;
  const maxMs = maxIntervalOf(options);

  let depth = 0;
  let dueSoon = 0;
  let deadCount = 0;
  const perType: Record<string, number> = {};
  for (const agg of [...input.aggregates].sort((a, b) => compareText(a.type, b.type))) {
    depth += agg.queued;
    dueSoon += agg.dueSoon;
    deadCount += agg.deadLetters;
    if (agg.queued > 0) perType[agg.type] = agg.queued;
  }

  const deadTasks: DeadLetterTaskEntry[] = [];
  const breakers: BreakerHealth[] = [];
  const troubled = new Set(input.lists.troubledBreakers);
  const dead = new Set(input.lists.deadLetterHead.map((entry) => entry.key));
  const seen = new Set<string>();
  for (const snap of input.listed) {
    const key = targetKey(snap.definition);
    if (seen.has(key)) continue;
    seen.add(key);
    const task = dead.has(key) ? deadLetterTaskOf(snap, key, now, iso) : null;
    if (task) deadTasks.push(task);
    const breaker = troubled.has(key) ? breakerEntryOf(snap, key, iso) : null;
    if (breaker) breakers.push(breaker);
  }
  breakers.sort((a, b) => compareText(a.key, b.key));

  const stalest = new Set(stalestKeys(input.lists, now, options));
  const staleness: StalenessHealth[] = [];
  for (const snap of input.listed) {
    const key = targetKey(snap.definition);
    if (!stalest.delete(key)) continue;
    staleness.push({
      instance: snap.definition.name,
      type: snap.definition.type,
      key,
      score: stalenessScore(snap.state?.lastSuccessAtMs ?? null, now, maxMs(snap.definition.type)),
      lastSuccess: iso(snap.state?.lastSuccessAtMs),
      lastError: iso(snap.state?.lastError?.atMs),
    });
  }

  const sections: FleetHealthSections = {
    updatedAt: new Date(now).toISOString(),
    enabled: options.polling.enabled,
    queue: { depth, dueWithinSeconds: dueSoon, perType },
    deadLetter: { count: deadCount, tasks: soonestDeadLetters(deadTasks, taskLimit) },
    breakers,
    staleness: stalestFirst(staleness, options.stalenessLimit ?? STALENESS_LIST_LIMIT),
  };
  addExtraSections(sections, extras, iso);
  return sections;
}

/**
 * Keys of the fleet's stalest targets from the types' candidates (each type's
 * oldest successes), in the staleness list's order, at most its limit: the
 * only targets the list needs read.
 */
export function stalestKeys(lists: FleetLists, now: number, options: SchedulerHealthOptions): string[] {
  const maxMs = maxIntervalOf(options);
  const limit = options.stalenessLimit ?? STALENESS_LIST_LIMIT;
  const ranked = lists.stalest.map((c) => ({
    key: c.key,
    score: stalenessScore(c.lastSuccessAtMs, now, maxMs(c.type)),
    lastSuccessAtMs: c.lastSuccessAtMs ?? -Infinity,
  }));
  ranked.sort((a, b) => b.score - a.score || a.lastSuccessAtMs - b.lastSuccessAtMs || compareText(a.key, b.key));
  return ranked.slice(0, limit).map((c) => c.key);
}

/** The `instances[]` entries of one page's snapshots (in the order given). */
export function pageInstanceEntries(snapshots: readonly TargetSnapshot[], now: number, options: SchedulerHealthOptions): InstanceHealth[] {
  const iso = createIsoFormatter();
  const summarize = options.summarizeConnection ?? safeConnectionSummary;
  const typeOptions = typeOptionsOf(options);
  return snapshots.map((snap) => instanceHealth(snap, targetKey(snap.definition), now, typeOptions(snap.definition.type), iso, summarize));
}

function maxIntervalOf(options: SchedulerHealthOptions): (type: string) => number {
  const typeOptions = typeOptionsOf(options);
  return (type) => typeOptions(type).intervals.maxMs;
}

function typeOptionsOf(options: SchedulerHealthOptions): (type: string) => TypePollingOptions {
  const known = new Map<string, TypePollingOptions>();
  return (type) => {
    let found = known.get(type);
    if (!found) {
      found = optionsForType(options.polling, type);
      known.set(type, found);
    }
    return found;
  };
}
