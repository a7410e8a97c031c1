import type { PollRollupEntity } from '../entities/poll-rollup.entity';
import { percentileMs } from './duration-histogram';
import { ROLLUP_FIELD, ROLLUP_VERSION_FIELD } from './rollup-keys';

interface TargetFigures {
  type: string;
  polls: number;
  failures: number;
  changes: number;
  maxDurationMs: number | null;
  worstStalenessMs: number | null;
  buckets: Map<number, number>;
}

/**
 * Database rows from one hour's hash (`<target>|<field>` -> value): one per
 * target, with p50/p95 from the duration buckets. Pure.
 */
export function rollupRows(fields: Record<string, string>, hourStartMs: number, nowMs: number, scope: string): PollRollupEntity[] {
  const byTarget = new Map<string, TargetFigures>();
  for (const [field, raw] of Object.entries(fields)) {
    if (field === ROLLUP_VERSION_FIELD) continue;
    const at = field.lastIndexOf('|');
    if (at <= 0) continue;
    const key = field.slice(0, at);
    const name = field.slice(at + 1);
    let figures = byTarget.get(key);
    if (!figures) {
      figures = { type: 'unknown', polls: 0, failures: 0, changes: 0, maxDurationMs: null, worstStalenessMs: null, buckets: new Map() };
      byTarget.set(key, figures);
    }
    const value = Number(raw);
    switch (name) {
      case ROLLUP_FIELD.type:
        figures.type = raw;
        break;
      case ROLLUP_FIELD.polls:
        figures.polls = value;
        break;
      case ROLLUP_FIELD.failures:
        figures.failures = value;
        break;
      case ROLLUP_FIELD.changes:
        figures.changes = value;
        break;
      case ROLLUP_FIELD.maxDurationMs:
        figures.maxDurationMs = value;
        break;
      case ROLLUP_FIELD.worstStalenessMs:
        figures.worstStalenessMs = value;
        break;
      default:
        if (name.startsWith(ROLLUP_FIELD.bucketPrefix)) {
          const bucket = Number(name.slice(ROLLUP_FIELD.bucketPrefix.length));
          if (Number.isInteger(bucket) && Number.isFinite(value)) figures.buckets.set(bucket, value);
        }
    }
  }
  return [...byTarget.entries()]
    .filter(([, f]) => f.polls > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, f]) => ({
      scope,
      hourStartMs,
      targetKey: key,
      targetType: f.type,
      polls: f.polls,
      failures: f.failures,
      dataChanges: f.changes,
      durationP50Ms: percentileMs(f.buckets, 0.5, f.maxDurationMs),
      durationP95Ms: percentileMs(f.buckets, 0.95, f.maxDurationMs),
      durationMaxMs: f.maxDurationMs,
      worstStalenessSeconds: f.worstStalenessMs === null ? null : f.worstStalenessMs / 1000,
      updatedAtMs: nowMs,
    }));
}
