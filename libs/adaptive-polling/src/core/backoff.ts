import type { BackoffOptions, RandomSource } from './types';

/** The backoff series in force for one target type, after short mode is applied. */
export interface BackoffSeries {
  initialMs: number;
  maxMs: number;
  multiplier: number;
  jitter: number;
  /** True when the type's max interval is small enough for the short series. */
  shortMode: boolean;
}

/**
 * Picks the series for a type. Short mode (max interval <= `shortModeMaxIntervalMs`,
 * default 15 s) swaps in 750 ms .. 6 s, so a tight polling window keeps fast
 * feedback instead of waiting minutes between retries.
 */
export function backoffSeries(options: BackoffOptions, maxIntervalMs: number): BackoffSeries {
  const shortMode = maxIntervalMs <= options.shortModeMaxIntervalMs;
  return {
    initialMs: shortMode ? options.shortInitialMs : options.initialMs,
    maxMs: shortMode ? options.shortMaxMs : options.maxMs,
    multiplier: options.multiplier,
    jitter: options.jitter,
    shortMode,
  };
}

/** min(cap, initial * multiplier^step), no jitter. Step 0 is the first retry. */
export function backoffBaseDelayMs(step: number, options: BackoffOptions, maxIntervalMs: number): number {
  const series = backoffSeries(options, maxIntervalMs);
  const safeStep = Number.isFinite(step) && step > 0 ? Math.floor(step) : 0;
  // Math.pow overflows to Infinity for huge steps; min() then yields the cap.
  return Math.min(series.maxMs, series.initialMs * Math.pow(series.multiplier, safeStep));
}

/**
 * The base delay times (1 + U(-jitter, +jitter)), clamped to the cap so a
 * retry never waits longer than the documented maximum (5 min, or 6 s in short mode).
 */
export function backoffDelayMs(step: number, options: BackoffOptions, maxIntervalMs: number, random: RandomSource): number {
  const series = backoffSeries(options, maxIntervalMs);
  const baseMs = backoffBaseDelayMs(step, options, maxIntervalMs);
  const factor = 1 + series.jitter * (2 * random() - 1);
  return Math.max(0, Math.min(series.maxMs, baseMs * factor));
}
