/**
 * Usage as a band, so a gauge counts as a change only when it crosses a threshold an
 * operator acts on: 0 below 80 %, 1 from 80 %, 2 from 90 %, 3 from 95 %; `?` unknown.
 */
export const USAGE_THRESHOLDS = [0.8, 0.9, 0.95] as const;

export function usageBand(used: number | undefined, total: number | undefined): string {
  if (typeof used !== 'number' || typeof total !== 'number' || !(total > 0) || used < 0) return '?';
  const share = used / total;
  let band = 0;
  for (const threshold of USAGE_THRESHOLDS) if (share >= threshold) band += 1;
  return String(band);
}

/** A count as a band: 0, or the index of the highest threshold it reached (1-based). */
export function countBand(count: number | undefined, thresholds: readonly number[]): string {
  if (typeof count !== 'number' || !Number.isFinite(count)) return '?';
  let band = 0;
  for (const threshold of thresholds) if (count >= threshold) band += 1;
  return String(band);
}
