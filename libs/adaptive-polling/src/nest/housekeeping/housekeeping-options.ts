import { checkPositiveNumber, configurationError } from '../../core/config-checks';
import { mustBeBoolean } from '../../core/messages';
import type { OptionProblem } from '../../core/types';

/** Housekeeping tasks, each run by one replica at a time under a Redis lock. */
export interface AdaptivePollingHousekeepingOptions {
  /** Run housekeeping in this process (default true). */
  enabled?: boolean;
  /** Dead-letter retry sweep period, ms (default 60000; needs persistence). */
  deadLetterSweepIntervalMs?: number;
  /** Hourly poll rollups: Redis to database, every ms (default 300000; needs persistence). */
  rollupFlushIntervalMs?: number;
  /** Janitor for leftover keys, every ms (default 600000). */
  janitorIntervalMs?: number;
  /** Repair of the fleet aggregates from a full read, every ms (default 600000). */
  fleetRepairIntervalMs?: number;
  /** Lock lease, ms (default 60000); renewed while a task runs. */
  lockTtlMs?: number;
}

export interface ResolvedHousekeepingOptions {
  enabled: boolean;
  deadLetterSweepIntervalMs: number;
  rollupFlushIntervalMs: number;
  janitorIntervalMs: number;
  fleetRepairIntervalMs: number;
  lockTtlMs: number;
}

export const ADAPTIVE_POLLING_HOUSEKEEPING_OPTIONS = Symbol('ADAPTIVE_POLLING_HOUSEKEEPING_OPTIONS');

const DEFAULTS = {
  deadLetterSweepIntervalMs: 60_000,
  rollupFlushIntervalMs: 300_000,
  janitorIntervalMs: 600_000,
  fleetRepairIntervalMs: 600_000,
  lockTtlMs: 60_000,
} as const;

/** Fills in defaults; throws one PollingOptionsError listing every problem. */
export function resolveHousekeepingOptions(options: AdaptivePollingHousekeepingOptions = {}): ResolvedHousekeepingOptions {
  const problems: OptionProblem[] = [];
  const given: Partial<Record<keyof typeof DEFAULTS, unknown>> = options;
  for (const field of Object.keys(DEFAULTS) as Array<keyof typeof DEFAULTS>) {
    checkPositiveNumber(given[field], `housekeeping.${field}`, problems);
  }
  if (options.enabled !== undefined && typeof options.enabled !== 'boolean') {
    problems.push({ field: 'housekeeping.enabled', message: mustBeBoolean(options.enabled) });
  }
  if (problems.length > 0) throw configurationError(problems);
  return {
    enabled: options.enabled ?? true,
    deadLetterSweepIntervalMs: options.deadLetterSweepIntervalMs ?? DEFAULTS.deadLetterSweepIntervalMs,
    rollupFlushIntervalMs: options.rollupFlushIntervalMs ?? DEFAULTS.rollupFlushIntervalMs,
    janitorIntervalMs: options.janitorIntervalMs ?? DEFAULTS.janitorIntervalMs,
    fleetRepairIntervalMs: options.fleetRepairIntervalMs ?? DEFAULTS.fleetRepairIntervalMs,
    lockTtlMs: options.lockTtlMs ?? DEFAULTS.lockTtlMs,
  };
}
