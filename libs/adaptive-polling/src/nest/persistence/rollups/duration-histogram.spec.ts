import { describe, expect, it } from 'vitest';
import { bucketUpperMs, durationBucket, percentileMs } from './duration-histogram';

function histogram(durations: number[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const d of durations) counts.set(durationBucket(d), (counts.get(durationBucket(d)) ?? 0) + 1);
  return counts;
}

describe('duration histogram', () => {
  it('puts each duration in a bucket whose upper bound is at most 10 % above it', () => {
    for (const d of [1.5, 2, 10, 99, 100, 101, 1234.5, 60_000, 120_000]) {
      const upper = bucketUpperMs(durationBucket(d));
      expect(upper).toBeGreaterThanOrEqual(d * 0.999999);
      expect(upper).toBeLessThanOrEqual(d * 1.1 + 1e-9);
    }
    expect(durationBucket(0)).toBe(0);
    expect(durationBucket(-5)).toBe(0);
    expect(durationBucket(Number.NaN)).toBe(0);
  });

  it('gives p50 and p95 within 10 % of the exact values, never above the max', () => {
    const durations = Array.from({ length: 100 }, (_, i) => 10 + i * 10); // 10..1000
    const counts = histogram(durations);
    const p50 = percentileMs(counts, 0.5, 1000)!;
    const p95 = percentileMs(counts, 0.95, 1000)!;
    expect(p50).toBeGreaterThanOrEqual(500);
    expect(p50).toBeLessThanOrEqual(550);
    expect(p95).toBeGreaterThanOrEqual(950);
    expect(p95).toBeLessThanOrEqual(1000);
    expect(percentileMs(counts, 1, 1000)).toBe(1000);
  });

  it('is null without samples', () => {
    expect(percentileMs(new Map(), 0.5, null)).toBeNull();
  });
});
