import { isDueSoon, isQueued } from '../../core/schedule-rules';
import { targetKey } from '../../core/target';
import type { TargetSnapshot } from '../../engine/polling-engine';
import { ALL_INSTANCES_LABEL_VALUE, BREAKER_STATE_VALUES, labelValue, nonNegativeSeconds } from './metric-labels';

export type LabelSet = Record<string, string>;

export interface GaugeSample {
  labels: LabelSet;
  value: number;
}

/** Every gauge read from the shared state, for one scrape. */
export interface SnapshotGaugeValues {
  staleness: GaugeSample[];
  lastSuccess: GaugeSample[];
  deadLetterDepth: GaugeSample[];
  breakerState: GaugeSample[];
  breakerFailures: GaugeSample[];
  breakerRetry: GaugeSample[];
  /** Scheduled jobs that will poll (not paused, not parked), all types. */
  queueDepth: number;
  queueDepthByType: GaugeSample[];
  dueSoon: number;
  targetsByType: GaugeSample[];
  maxIntervalByType: GaugeSample[];
}

export interface SnapshotGaugeInput {
  snapshots: readonly TargetSnapshot[];
  nowMs: number;
  /** False: one `instance="all"` series per type, aggregated. */
  perTargetLabels: boolean;
  /** Types to report (targets 0, max interval) even without targets, e.g. configured per-type options. */
  knownTypes: readonly string[];
  maxIntervalMs(type: string): number;
  dueSoonWindowMs: number;
}

type Combine = (a: number, b: number) => number;
export const max: Combine = (a, b) => Math.max(a, b);
export const sum: Combine = (a, b) => a + b;

/** Samples keyed by their label set; a second sample for the same labels is combined. */
export class SampleSet {
  private readonly samples = new Map<string, GaugeSample>();
  constructor(private readonly combine: Combine) {}

  add(labels: LabelSet, value: number): void {
    const id = Object.values(labels).join('\u0000');
    const existing = this.samples.get(id);
    if (existing) existing.value = this.combine(existing.value, value);
    else this.samples.set(id, { labels, value });
  }

  list(): GaugeSample[] {
    return [...this.samples.values()];
  }
}

/**
 * Turns one read of every target's shared state into the state gauges. Pure
 * and linear in the number of targets, so a scrape of 10,000 targets costs
 * one pipelined Redis read and one pass.
 *
 * Aggregated (`perTargetLabels: false`) values per type: staleness, breaker
 * state, failure count and retry time are the worst target's; dead-letter
 * depth is the count; last success is the latest. Staleness is -1 when no
 * target of the series ever succeeded. Paused targets are left out of
 * staleness: they are not meant to be polled.
 */
export function snapshotGaugeValues(input: SnapshotGaugeInput): SnapshotGaugeValues {
  const { nowMs } = input;
  const staleness = new SampleSet(max);
  const lastSuccess = new SampleSet(max);
  const deadLetterDepth = new SampleSet(sum);
  const breakerState = new SampleSet(max);
  const breakerFailures = new SampleSet(max);
  const breakerRetry = new SampleSet(max);
  const queueDepthByType = new SampleSet(sum);
  const targetsByType = new SampleSet(sum);
  let queueDepth = 0;
  let dueSoon = 0;

  const types = new Set(input.knownTypes.map(labelValue));
  for (const type of types) {
    targetsByType.add({ instance_type: type }, 0);
    queueDepthByType.add({ instance_type: type }, 0);
  }

  for (const { definition, state, running, scheduled } of input.snapshots) {
    const type = labelValue(definition.type);
    types.add(type);
    const target: LabelSet = {
      instance_type: type,
      instance: input.perTargetLabels ? labelValue(targetKey(definition)) : ALL_INSTANCES_LABEL_VALUE,
    };
    const byType: LabelSet = { instance_type: type };

    targetsByType.add(byType, 1);
    // The same rules as the health API's `queue`: jobs that will poll (not
    // paused, not parked); due soon = not running and due within the window.
    const queued = isQueued(scheduled, definition.paused, state);
    queueDepthByType.add(byType, queued ? 1 : 0);
    if (queued) queueDepth++;
    if (isDueSoon(queued, running, state?.nextRunAtMs ?? null, nowMs, input.dueSoonWindowMs)) dueSoon++;

    const lastSuccessAtMs = state?.lastSuccessAtMs ?? null;
    if (!definition.paused) {
      staleness.add(target, lastSuccessAtMs === null ? -1 : nonNegativeSeconds(nowMs - lastSuccessAtMs));
    }
    if (lastSuccessAtMs !== null) lastSuccess.add(target, lastSuccessAtMs / 1000);

    deadLetterDepth.add(target, state?.deadLetter ? 1 : 0);
    const breaker = state?.breaker;
    breakerState.add(target, breaker ? (BREAKER_STATE_VALUES[breaker.state] ?? 0) : 0);
    breakerFailures.add(target, breaker ? Math.max(0, breaker.failures) : 0);
    const retryInMs = breaker?.state === 'open' && breaker.retryAtMs !== null ? breaker.retryAtMs - nowMs : 0;
    breakerRetry.add(target, nonNegativeSeconds(retryInMs));
  }

  const maxIntervalByType = [...types].map((type) => ({
    labels: { instance_type: type },
    value: nonNegativeSeconds(input.maxIntervalMs(type)),
  }));

  return {
    staleness: staleness.list(),
    lastSuccess: lastSuccess.list(),
    deadLetterDepth: deadLetterDepth.list(),
    breakerState: breakerState.list(),
    breakerFailures: breakerFailures.list(),
    breakerRetry: breakerRetry.list(),
    queueDepth,
    queueDepthByType: queueDepthByType.list(),
    dueSoon,
    targetsByType: targetsByType.list(),
    maxIntervalByType,
  };
}
