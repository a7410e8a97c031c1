import type { ValueTransformer } from 'typeorm';

/**
 * Epoch milliseconds in a `bigint` column: PostgreSQL hands bigints back as
 * strings, SQLite as numbers; both come out as numbers (ms fit in 2^53).
 */
export const epochMsColumn: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null || value === undefined ? null : Number(value)),
};

/** A floating-point column that PostgreSQL may return as a string. */
export const numberColumn: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null || value === undefined ? null : Number(value)),
};
