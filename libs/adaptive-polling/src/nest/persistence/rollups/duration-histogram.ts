/**
 * Poll durations are counted in buckets 10 % wide (bucket i holds durations
 * in (1.1^(i-1), 1.1^i] ms; bucket 0 holds <= 1 ms), so replicas can add
 * their counts in Redis and percentiles come out within 10 %, with memory
 * bounded by the number of buckets, not of polls.
 */
export const BUCKET_GROWTH = 1.1;
/** 1.1^250 ms is about 7 years: nothing is clipped in practice. */
export const MAX_BUCKET = 250;

const LOG_GROWTH = Math.log(BUCKET_GROWTH);

export function durationBucket(durationMs: number): number {
  if (!(durationMs > 1)) return 0;
  return Math.min(MAX_BUCKET, Math.ceil(Math.log(durationMs) / LOG_GROWTH - 1e-9));
}

export function bucketUpperMs(bucket: number): number {
  return bucket <= 0 ? 1 : BUCKET_GROWTH ** bucket;
}

/**
 * The p-quantile (0 < p <= 1) of the counted durations: the upper bound of
 * the bucket holding the ceil(p * n)-th smallest duration, capped at the
 * largest duration seen. Null when nothing was counted.
 */
export function percentileMs(counts: ReadonlyMap<number, number>, p: number, maxMs: number | null): number | null {
  let total = 0;
  for (const n of counts.values()) total += n;
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(p * total));
  let seen = 0;
  for (const bucket of [...counts.keys()].sort((a, b) => a - b)) {
    seen += counts.get(bucket) ?? 0;
    if (seen >= rank) {
      const upper = bucketUpperMs(bucket);
      return round3(maxMs === null ? upper : Math.min(upper, maxMs));
    }
  }
  return maxMs;
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
