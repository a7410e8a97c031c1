import type { TypeAggregate } from '../../engine/fleet-aggregates';
import { ALL_INSTANCES_LABEL_VALUE, BREAKER_STATE_VALUES, nonNegativeSeconds } from './metric-labels';
import { GaugeAccumulator, type LabelSet, type SnapshotGaugeValues } from './snapshot-gauges';

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
  const gauges = new GaugeAccumulator(input.knownTypes);
  for (const agg of input.aggregates) {
    const type = gauges.typeLabel(agg.type);
    const byType: LabelSet = { instance_type: type };
    const all: LabelSet = { instance_type: type, instance: ALL_INSTANCES_LABEL_VALUE };
    gauges.targetsByType.add(byType, agg.targets);
    gauges.queueDepthByType.add(byType, agg.queued);
    gauges.queueDepth += agg.queued;
    gauges.dueSoon += agg.dueSoon;
    if (agg.targets > agg.statuses.paused) {
      gauges.staleness.add(all, agg.oldestSuccessAtMs === null ? -1 : nonNegativeSeconds(nowMs - agg.oldestSuccessAtMs));
    }
    if (agg.latestSuccessAtMs !== null) gauges.lastSuccess.add(all, agg.latestSuccessAtMs / 1000);
    gauges.deadLetterDepth.add(all, agg.deadLetters);
    const worst = agg.breakersOpen > 0 ? 'open' : agg.breakersHalfOpen > 0 ? 'half_open' : 'closed';
    gauges.breakerState.add(all, BREAKER_STATE_VALUES[worst]);
    gauges.breakerFailures.add(all, agg.maxBreakerFailures);
    gauges.breakerRetry.add(all, nonNegativeSeconds(agg.latestOpenRetryAtMs === null ? 0 : agg.latestOpenRetryAtMs - nowMs));
  }
  return gauges.values((type) => input.maxIntervalMs(type));
}
