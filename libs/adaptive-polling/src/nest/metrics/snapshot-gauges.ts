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
 * The state gauges of one scrape while they are summed up: one sample set per
 * gauge with its combining rule, and every known type reported (targets 0)
 * even without targets. Both the per-target read and the aggregates fill it.
 */
export class GaugeAccumulator {
  readonly staleness = new SampleSet(max);
  readonly lastSuccess = new SampleSet(max);
  readonly deadLetterDepth = new SampleSet(sum);
  readonly breakerState = new SampleSet(max);
  readonly breakerFailures = new SampleSet(max);
  readonly breakerRetry = new SampleSet(max);
  readonly queueDepthByType = new SampleSet(sum);
  readonly targetsByType = new SampleSet(sum);
  queueDepth = 0;
  dueSoon = 0;
  private readonly types: Set<string>;

  constructor(knownTypes: readonly string[]) {
    this.types = new Set(knownTypes.map(labelValue));
    for (const type of this.types) {
      this.targetsByType.add({ instance_type: type }, 0);
      this.queueDepthByType.add({ instance_type: type }, 0);
    }
  }

  /** The type's label value, noted so its max interval is reported. */
  typeLabel(type: string): string {
    const label = labelValue(type);
    this.types.add(label);
    return label;
  }

  values(maxIntervalMs: (type: string) => number): SnapshotGaugeValues {
    return {
      staleness: this.staleness.list(),
      lastSuccess: this.lastSuccess.list(),
      deadLetterDepth: this.deadLetterDepth.list(),
      breakerState: this.breakerState.list(),
      breakerFailures: this.breakerFailures.list(),
      breakerRetry: this.breakerRetry.list(),
      queueDepth: this.queueDepth,
      queueDepthByType: this.queueDepthByType.list(),
      dueSoon: this.dueSoon,
      targetsByType: this.targetsByType.list(),
      maxIntervalByType: [...this.types].map((type) => ({
        labels: { instance_type: type },
        value: nonNegativeSeconds(maxIntervalMs(type)),
      })),
    };
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
  const gauges = new GaugeAccumulator(input.knownTypes);
  for (const { definition, state, running, scheduled } of input.snapshots) {
    const type = gauges.typeLabel(definition.type);
    const target: LabelSet = {
      instance_type: type,
      instance: input.perTargetLabels ? labelValue(targetKey(definition)) : ALL_INSTANCES_LABEL_VALUE,
    };
    const byType: LabelSet = { instance_type: type };

    gauges.targetsByType.add(byType, 1);
    // The same rules as the health API's `queue`: jobs that will poll (not
    // paused, not parked); due soon = not running and due within the window.
    const queued = isQueued(scheduled, definition.paused, state);
    gauges.queueDepthByType.add(byType, queued ? 1 : 0);
    if (queued) gauges.queueDepth++;
    if (isDueSoon(queued, running, state?.nextRunAtMs ?? null, nowMs, input.dueSoonWindowMs)) gauges.dueSoon++;

    const lastSuccessAtMs = state?.lastSuccessAtMs ?? null;
    if (!definition.paused) {
      gauges.staleness.add(target, lastSuccessAtMs === null ? -1 : nonNegativeSeconds(nowMs - lastSuccessAtMs));
    }
    if (lastSuccessAtMs !== null) gauges.lastSuccess.add(target, lastSuccessAtMs / 1000);

    gauges.deadLetterDepth.add(target, state?.deadLetter ? 1 : 0);
    const breaker = state?.breaker;
    gauges.breakerState.add(target, breaker ? (BREAKER_STATE_VALUES[breaker.state] ?? 0) : 0);
    gauges.breakerFailures.add(target, breaker ? Math.max(0, breaker.failures) : 0);
    const retryInMs = breaker?.state === 'open' && breaker.retryAtMs !== null ? breaker.retryAtMs - nowMs : 0;
    gauges.breakerRetry.add(target, nonNegativeSeconds(retryInMs));
  }
  return gauges.values((type) => input.maxIntervalMs(type));
}
