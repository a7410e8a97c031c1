import type { IntervalPolicy, PolicyDecision, PolicyInput } from '../types';
import { applyJitterMs, clampMs } from './interval-terms';

export const FIXED_POLICY_NAME = 'fixed';

/**
 * Always the base interval (with the usual jitter, clamped to [min, max]).
 * Also what the core uses when adaptive polling is disabled. Stateless.
 */
export const fixedPolicy: IntervalPolicy = {
  name: FIXED_POLICY_NAME,
  nextInterval(_previous, input: PolicyInput): PolicyDecision {
    const bounds = input.intervals;
    return { intervalMs: applyJitterMs(clampMs(bounds.baseMs, bounds), input.jitter, input.random, bounds), state: null };
  },
};
