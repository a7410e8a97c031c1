import type { IntervalBounds, RandomSource } from '../types';

/**
 * The terms of the seed's interval model, shared by `pulse` and `change-aware`
 * so both apply them identically. Each one is a pure function of its inputs.
 */

/** Weight of the new target in the moving average (the seed's alpha). */
export const EMA_NEW_WEIGHT = 0.6;
/** Error penalty: target / (1 + ERROR_PENALTY_PER_FAILURE * n). */
export const ERROR_PENALTY_PER_FAILURE = 0.6;
/** Backpressure: target * (1 + BACKLOG_STRETCH_PER_UNIT * (backlog - 1)) when backlog > 1. */
export const BACKLOG_STRETCH_PER_UNIT = 0.1;

export function clampMs(valueMs: number, bounds: IntervalBounds): number {
  return Math.min(bounds.maxMs, Math.max(bounds.minMs, valueMs));
}

/** Stale data means poll sooner: s = 0 gives max, s = 1 gives min. */
export function stalenessTargetMs(staleness: number, bounds: IntervalBounds): number {
  const s = Math.min(1, Math.max(0, Number.isFinite(staleness) ? staleness : 1));
  return bounds.minMs + (bounds.maxMs - bounds.minMs) * (1 - s);
}

/** Recent failures shorten the interval, so recovery is noticed fast; never below min. */
export function applyErrorPenaltyMs(targetMs: number, recentFailures: number, bounds: IntervalBounds): number {
  const n = recentFailures > 0 && Number.isFinite(recentFailures) ? recentFailures : 0;
  return Math.max(bounds.minMs, targetMs / (1 + ERROR_PENALTY_PER_FAILURE * n));
}

/** Real backlog (> 1) stretches the interval to shed load; never above max. */
export function applyBacklogStretchMs(targetMs: number, backlog: number, bounds: IntervalBounds): number {
  if (!(backlog > 1) || !Number.isFinite(backlog)) return targetMs;
  return Math.min(bounds.maxMs, targetMs * (1 + BACKLOG_STRETCH_PER_UNIT * (backlog - 1)));
}

/** Exponential moving average, clamped: damps oscillation between polls. */
export function smoothMs(targetMs: number, previousSmoothedMs: number, bounds: IntervalBounds): number {
  return clampMs(EMA_NEW_WEIGHT * targetMs + (1 - EMA_NEW_WEIGHT) * previousSmoothedMs, bounds);
}

/** * (1 + U(-jitter, +jitter)), clamped: spreads targets so they do not poll in lockstep. */
export function applyJitterMs(valueMs: number, jitter: number, random: RandomSource, bounds: IntervalBounds): number {
  if (!(jitter > 0)) return clampMs(valueMs, bounds);
  return clampMs(valueMs * (1 + jitter * (2 * random() - 1)), bounds);
}

/** A remembered number, or the fallback when the stored state is missing or corrupt. */
export function finiteOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}
