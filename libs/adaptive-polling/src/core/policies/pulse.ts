import type { IntervalPolicy, PolicyDecision, PolicyInput, PolicyStateJson } from '../types';
import {
  applyBacklogStretchMs,
  applyErrorPenaltyMs,
  applyJitterMs,
  clampMs,
  finiteOr,
  smoothMs,
  stalenessTargetMs,
} from './interval-terms';

export const PULSE_POLICY_NAME = 'pulse';

/** What `pulse` remembers per target: the smoothed interval before jitter. */
export interface PulsePolicyState {
  [key: string]: unknown;
  smoothedMs: number;
}

/**
 * The seed's documented model, exact to SPEC 2's pinned examples:
 * staleness target, error penalty, backlog stretch, EMA (seeded with base,
 * stored before jitter), jitter, clamp. The engine calls it once per
 * completed poll, so the EMA advances once per poll (the seed advanced it on
 * every planning tick).
 */
export const pulsePolicy: IntervalPolicy = {
  name: PULSE_POLICY_NAME,
  nextInterval(previous: PolicyStateJson, input: PolicyInput): PolicyDecision {
    const bounds = input.intervals;
    const previousSmoothedMs = clampMs(finiteOr(previous?.['smoothedMs'], bounds.baseMs), bounds);

    let targetMs = stalenessTargetMs(input.staleness, bounds);
    targetMs = applyErrorPenaltyMs(targetMs, input.recentFailures, bounds);
    targetMs = applyBacklogStretchMs(targetMs, input.backlog, bounds);

    const smoothedMs = smoothMs(targetMs, previousSmoothedMs, bounds);
    const state: PulsePolicyState = { smoothedMs };
    return { intervalMs: applyJitterMs(smoothedMs, input.jitter, input.random, bounds), state };
  },
};
