import { describe, expect, it } from 'vitest';
import { durationBucket } from './duration-histogram';
import { rollupRows } from './rollup-rows';

describe('rollupRows', () => {
  it('builds one row per target from an hour hash, target keys with "|" included', () => {
    const fields: Record<string, string> = {
      _v: '7',
      'pve::a|t': 'pve',
      'pve::a|p': '4',
      'pve::a|f': '1',
      'pve::a|c': '2',
      'pve::a|m': '200',
      'pve::a|s': '45000',
      [`pve::a|b${durationBucket(100)}`]: '3',
      [`pve::a|b${durationBucket(200)}`]: '1',
      'x::we|ird|t': 'x',
      'x::we|ird|p': '1',
      [`x::we|ird|b${durationBucket(5)}`]: '1',
      'x::we|ird|m': '5',
    };
    const rows = rollupRows(fields, 3_600_000, 99, 'bull:q');
    expect(rows.map((r) => r.targetKey)).toEqual(['pve::a', 'x::we|ird']);
    expect(rows[0]).toMatchObject({
      scope: 'bull:q',
      hourStartMs: 3_600_000,
      targetType: 'pve',
      polls: 4,
      failures: 1,
      dataChanges: 2,
      durationMaxMs: 200,
      worstStalenessSeconds: 45,
      updatedAtMs: 99,
    });
    expect(rows[0].durationP50Ms).toBeGreaterThanOrEqual(100);
    expect(rows[0].durationP50Ms).toBeLessThanOrEqual(110);
    expect(rows[0].durationP95Ms).toBe(200);
    expect(rows[1]).toMatchObject({ polls: 1, failures: 0, dataChanges: 0, durationP50Ms: 5, worstStalenessSeconds: null });
  });
});
