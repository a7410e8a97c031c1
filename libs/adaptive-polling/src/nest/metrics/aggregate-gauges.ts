import type { TypeAggregate } from '../../engine/fleet-aggregates';
import { ALL_INSTANCES_LABEL_VALUE, BREAKER_STATE_VALUES, labelValue, nonNegativeSeconds } from './metric-labels';
import { SampleSet, max, sum, type LabelSet, type SnapshotGaugeValues } from './snapshot-gauges';

export interface AggregateGaugeInput {
  aggregates: readonly TypeAggregate[];
  nowMs: number;
  knownTypes: readonly string[];
  maxIntervalMs(type: string): number;
}

/**
 * The aggregated state gauges (`perTargetLabels: false`, one `instance="all"`
 * series per type) from the per-type fleet aggregates: the same values
 * snapshotGaugeValues computes from every target's state (see its comment
 * for their meaning), at O(types) cost. Two types with the same label value
 * are combined as there.
 */
export function aggregateGaugeValues(input: AggregateGaugeInput): SnapshotGaugeValues {
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

  for (const agg of input.aggregates) {
    const type = labelValue(agg.type);
    types.add(type);
    const byType: LabelSet = { instance_type: type };
    const all: LabelSet = { instance_type: type, instance: ALL_INSTANCES_LABEL_VALUE };
    targetsByType.add(byType, agg.targets);
    queueDepthByType.add(byType, agg.queued);
    queueDepth += agg.queued;
    dueSoon += agg.dueSoon;
    if (agg.targets > agg.statuses.paused) {
      staleness.add(all, agg.oldestSuccessAtMs === null ? -1 : nonNegativeSeconds(nowMs - agg.oldestSuccessAtMs));
    }
    if (agg.latestSuccessAtMs !== null) lastSuccess.add(all, agg.latestSuccessAtMs / 1000);
    deadLetterDepth.add(all, agg.deadLetters);
    const worst = agg.breakersOpen > 0 ? 'open' : agg.breakersHalfOpen > 0 ? 'half_open' : 'closed';
    breakerState.add(all, BREAKER_STATE_VALUES[worst]);
    breakerFailures.add(all, agg.maxBreakerFailures);
    breakerRetry.add(all, nonNegativeSeconds(agg.latestOpenRetryAtMs === null ? 0 : agg.latestOpenRetryAtMs - nowMs));
  }

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
    maxIntervalByType: [...types].map((type) => ({
      labels: { instance_type: type },
      value: nonNegativeSeconds(input.maxIntervalMs(type)),
    })),
  };
}
