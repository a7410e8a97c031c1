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
  /** Lock lease, ms (default 60000); renewed while a task runs. */
  lockTtlMs?: number;
}

export interface ResolvedHousekeepingOptions {
  enabled: boolean;
  deadLetterSweepIntervalMs: number;
  rollupFlushIntervalMs: number;
  janitorIntervalMs: number;
  lockTtlMs: number;
}

export const ADAPTIVE_POLLING_HOUSEKEEPING_OPTIONS = Symbol('ADAPTIVE_POLLING_HOUSEKEEPING_OPTIONS');

function positive(value: number | undefined, fallback: number, field: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new TypeError(`housekeeping.${field} must be a positive number of milliseconds (got ${String(value)})`);
  }
  return value;
}

export function resolveHousekeepingOptions(options: AdaptivePollingHousekeepingOptions = {}): ResolvedHousekeepingOptions {
  return {
    enabled: options.enabled ?? true,
    deadLetterSweepIntervalMs: positive(options.deadLetterSweepIntervalMs, 60_000, 'deadLetterSweepIntervalMs'),
    rollupFlushIntervalMs: positive(options.rollupFlushIntervalMs, 300_000, 'rollupFlushIntervalMs'),
    janitorIntervalMs: positive(options.janitorIntervalMs, 600_000, 'janitorIntervalMs'),
    lockTtlMs: positive(options.lockTtlMs, 60_000, 'lockTtlMs'),
  };
}
