import type { IntervalBounds, IntervalPolicy, PolicyDecision, PolicyInput, PolicyStateJson } from '../types';
import {
  applyBacklogStretchMs,
  applyErrorPenaltyMs,
  applyJitterMs,
  clampMs,
  finiteOr,
  smoothMs,
  stalenessTargetMs,
} from './interval-terms';

export const CHANGE_AWARE_POLICY_NAME = 'change-aware';

// ---------------------------------------------------------------------------
// Tuning constants (tuned against the fleet simulator; change them together
// with docs/POLICY.md).
// ---------------------------------------------------------------------------

/**
 * Per-observation decay of the change statistics. 0.9 keeps a memory of about
 * 10 polls: long enough to average out random change timing, short enough to
 * follow a target whose activity changes.
 */
export const CHANGE_OBSERVATION_DECAY = 0.9;

/**
 * Interval = estimated mean time between changes T * this factor (then
 * floored at the detection goal and clamped to [min, max]). For data that
 * changes at random (Poisson), 1.2 T means about 70 % of polls see new data
 * (1 - e^-1.2) and a change waits 0.6 T on average. Lower polls busy targets
 * faster (lower detection latency, more polls). Data that never changes
 * gives T = Infinity, so max. Tuned with the fleet simulator (docs/POLICY.md).
 */
export const CHANGE_INTERVAL_FACTOR = 1.2;

/**
 * Detection-latency goal, as a multiple of min: a change should be seen
 * within 2 x min. For data that changes faster than that, polling faster than
 * the goal costs polls for little gain (most of them see yet another change),
 * so the change term never goes below the goal; see `detectionGoalFloorMs`.
 * min itself stays reachable through the recovery terms (lateness, error
 * penalty).
 */
export const DETECTION_GOAL_MIN_MULTIPLE = 2;

/**
 * The shortest interval the change term asks for: the detection goal
 * (2 x min) divided by (1 + jitter), so that even a jittered interval stays
 * within the goal and every change of a busy target is seen within 2 x min.
 * Clamped to [min, max] (when max is below it, max wins).
 */
export function detectionGoalFloorMs(bounds: IntervalBounds, jitter: number): number {
  const spread = Number.isFinite(jitter) && jitter > 0 ? jitter : 0;
  return clampMs((DETECTION_GOAL_MIN_MULTIPLE * bounds.minMs) / (1 + spread), bounds);
}

/**
 * One observation window counts for at most this many planned intervals.
 * A window much longer than planned (an outage, a 429, a backlog) says little
 * about how often the data changes; left uncapped it would teach a busy target
 * that it is quiet.
 */
export const MAX_OBSERVATION_FACTOR = 2;

/** Below this weight no change has been seen for a long time: T is treated as infinite. */
export const MIN_CHANGE_WEIGHT = 1e-6;

/** What `change-aware` remembers per target (plain JSON, lives in Redis). */
export interface ChangeAwarePolicyState {
  [key: string]: unknown;
  /** Smoothed interval before jitter. */
  smoothedMs: number;
  /** Decayed count of observed windows (polls) that showed a change. */
  changeWeight: number;
  /** Decayed count of observed windows. */
  windowWeight: number;
  /** Decayed sum of observed window lengths (ms). */
  elapsedWeightMs: number;
  /** How many windows have been observed (diagnostics only). */
  observations: number;
}

/**
 * A new target starts as if one window of one base interval had been seen,
 * changing with the probability 1 - e^-f (f = CHANGE_INTERVAL_FACTOR), so
 * T starts at base / f and the change term at base: the first intervals are
 * about base. One window of prior weight fades within a few polls.
 */
export function initialChangeAwareState(bounds: IntervalBounds): ChangeAwarePolicyState {
  const baseMs = clampMs(bounds.baseMs, bounds);
  return {
    smoothedMs: baseMs,
    changeWeight: -Math.expm1(-CHANGE_INTERVAL_FACTOR),
    windowWeight: 1,
    elapsedWeightMs: baseMs,
    observations: 0,
  };
}

function readState(previous: PolicyStateJson, bounds: IntervalBounds): ChangeAwarePolicyState {
  const prior = initialChangeAwareState(bounds);
  if (previous === null || typeof previous !== 'object') return prior;
  const changeWeight = finiteOr(previous['changeWeight'], NaN);
  const windowWeight = finiteOr(previous['windowWeight'], NaN);
  const elapsedWeightMs = finiteOr(previous['elapsedWeightMs'], NaN);
  // Another policy's state (or a corrupt one) keeps only what it shares: smoothedMs.
  const learned = windowWeight > 0 && changeWeight >= 0 && changeWeight <= windowWeight && elapsedWeightMs > 0;
  return {
    smoothedMs: clampMs(finiteOr(previous['smoothedMs'], prior.smoothedMs), bounds),
    changeWeight: learned ? changeWeight : prior.changeWeight,
    windowWeight: learned ? windowWeight : prior.windowWeight,
    elapsedWeightMs: learned ? elapsedWeightMs : prior.elapsedWeightMs,
    observations: learned ? Math.max(0, finiteOr(previous['observations'], 0)) : 0,
  };
}

/**
 * Mean time between changes T (ms), for data changing at random (Poisson).
 * With p the (decayed) share of polls that saw a change and w the mean window,
 * P(change in w) = 1 - e^(-w/T), so T = -w / ln(1 - p). Counting changed
 * windows as one change each (T = total time / changes) would overestimate T
 * whenever polls are slower than the data, and converges slowly for data that
 * changes on every poll; this closed form has neither problem.
 */
export function estimatedChangeIntervalMs(
  state: Pick<ChangeAwarePolicyState, 'changeWeight' | 'windowWeight' | 'elapsedWeightMs'>,
): number {
  if (state.changeWeight < MIN_CHANGE_WEIGHT || !(state.windowWeight > 0)) return Infinity;
  const changedShare = Math.min(1, state.changeWeight / state.windowWeight);
  const meanWindowMs = state.elapsedWeightMs / state.windowWeight;
  const hazard = -Math.log1p(-changedShare); // Infinity when every window changed
  return meanWindowMs / hazard;
}

/**
 * Learns from `changed` and `sinceLastSuccessMs` how often the target's data
 * really changes (T), and polls at f * T, but not faster than the detection
 * goal (2 x min / (1 + jitter)): busy targets at about 2 x min, quiet ones at
 * max. On top: a lateness term (a poll that came much later than planned,
 * because polls were failing, pulls toward min like pulse's staleness), the
 * error penalty, the backlog stretch, the EMA and jitter:
 *
 *   change  = clamp(max(f * T, 2 * min / (1 + jitter)), min, max)
 *   target  = min(change, stalenessTarget(lateness))
 *   target  = errorPenalty(target, recentFailures); backlogStretch(target, backlog)
 *   smoothed = 0.6 * target + 0.4 * previous smoothed; interval = jitter(smoothed)
 */
export const changeAwarePolicy: IntervalPolicy = {
  name: CHANGE_AWARE_POLICY_NAME,
  nextInterval(previous: PolicyStateJson, input: PolicyInput): PolicyDecision {
    const bounds = input.intervals;
    const prior = readState(previous, bounds);

    let { changeWeight, windowWeight, elapsedWeightMs, observations } = prior;
    if (input.changed !== null && input.sinceLastSuccessMs !== null) {
      const observedMs = Math.min(Math.max(0, input.sinceLastSuccessMs), bounds.maxMs, MAX_OBSERVATION_FACTOR * prior.smoothedMs);
      changeWeight = changeWeight * CHANGE_OBSERVATION_DECAY + (input.changed ? 1 : 0);
      windowWeight = windowWeight * CHANGE_OBSERVATION_DECAY + 1;
      elapsedWeightMs = elapsedWeightMs * CHANGE_OBSERVATION_DECAY + observedMs;
      observations += 1;
    }

    const changeIntervalMs = estimatedChangeIntervalMs({ changeWeight, windowWeight, elapsedWeightMs });
    const goalFloorMs = detectionGoalFloorMs(bounds, input.jitter);
    let targetMs = clampMs(Math.max(changeIntervalMs * CHANGE_INTERVAL_FACTOR, goalFloorMs), bounds);

    // Staleness counts only beyond the planned interval: a healthy quiet target
    // is always "max old" when polled, and must not be pulled back to min for it.
    targetMs = Math.min(targetMs, stalenessTargetMs(latenessScore(input, prior.smoothedMs), bounds));
    targetMs = applyErrorPenaltyMs(targetMs, input.recentFailures, bounds);
    targetMs = applyBacklogStretchMs(targetMs, input.backlog, bounds);

    const smoothedMs = smoothMs(targetMs, prior.smoothedMs, bounds);
    const state: ChangeAwarePolicyState = { smoothedMs, changeWeight, windowWeight, elapsedWeightMs, observations };
    return { intervalMs: applyJitterMs(smoothedMs, input.jitter, input.random, bounds), state };
  },
};

/**
 * How late this poll came relative to the interval planned for it, as a
 * fraction of max (0 = on time, 1 = a max interval or more late). A first
 * success has no plan to be late against: 0 (if failures came before it, the
 * error penalty already speeds the next poll up).
 */
function latenessScore(input: PolicyInput, plannedMs: number): number {
  if (input.sinceLastSuccessMs === null) return 0;
  const plannedWithJitterMs = plannedMs * (1 + Math.max(0, input.jitter));
  const lateMs = input.sinceLastSuccessMs - plannedWithJitterMs;
  return Math.min(1, Math.max(0, lateMs / input.intervals.maxMs));
}
