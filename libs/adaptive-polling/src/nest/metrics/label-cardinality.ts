/**
 * Per-target metric labels cost a few dozen series per target (one per
 * target for each gauge, and per result/error type for the counters and the
 * duration histogram's buckets), so they are on by default only for fleets up
 * to a limit. Decided once, for the targets known at start-up: series never
 * change shape while the app runs.
 */
export const DEFAULT_PER_TARGET_LABEL_LIMIT = 1_000;

/**
 * Series one target adds with per-target labels: 23 measured for a target
 * after a few polls (a test app's scrape, 2026-12-03); more once it has seen
 * several result and error types. Used only to size the warning.
 */
export const SERIES_PER_TARGET = 23;

export type PerTargetLabelSetting = boolean | 'auto';

export interface PerTargetLabelDecision {
  perTargetLabels: boolean;
  /** Set when `auto` switched them off: what to log once at start-up. */
  warning: string | null;
}

export function decidePerTargetLabels(setting: PerTargetLabelSetting, targetCount: number, limit: number): PerTargetLabelDecision {
  if (setting !== 'auto') return { perTargetLabels: setting, warning: null };
  if (targetCount <= limit) return { perTargetLabels: true, warning: null };
  return {
    perTargetLabels: false,
    warning:
      `metrics: ${targetCount} targets at start-up, more than metrics.perTargetLabelLimit (${limit}): per-target labels are off ` +
      `(instance="all", aggregated per type) to keep about ${SERIES_PER_TARGET * targetCount} series out of Prometheus; ` +
      'set metrics.perTargetLabels: true to keep them anyway',
  };
}
