/** Redis keys of the hourly poll figures, next to the engine's own keys. */
export interface RollupKeys {
  /** Hash of one hour: `<target>|<field>` -> count / max. */
  hour(hourStartMs: number): string;
  /** Sorted set of hours not yet written to the database in full. */
  hours: string;
  /** Hash target -> last successful poll time seen (for staleness). */
  lastSuccess: string;
}

export function rollupKeys(prefix: string, queueName: string): RollupKeys {
  const base = `${prefix}:${queueName}:ap:rollup`;
  return {
    hour: (hourStartMs) => `${base}:hour:${hourStartMs}`,
    hours: `${base}:hours`,
    lastSuccess: `${base}:last-success`,
  };
}

export const HOUR_MS = 3_600_000;

export function hourStartOf(atMs: number): number {
  return Math.floor(atMs / HOUR_MS) * HOUR_MS;
}

/** Field suffixes of an hour hash. The target key may contain `|`: the suffix follows the last one. */
export const ROLLUP_FIELD = {
  polls: 'p',
  failures: 'f',
  changes: 'c',
  type: 't',
  maxDurationMs: 'm',
  worstStalenessMs: 's',
  bucketPrefix: 'b',
} as const;

/** Bumped on every write to an hour hash, so a flush can tell whether it read the final figures. */
export const ROLLUP_VERSION_FIELD = '_v';
