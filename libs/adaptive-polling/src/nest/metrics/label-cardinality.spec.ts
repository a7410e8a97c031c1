import { describe, expect, it } from 'vitest';
import { decidePerTargetLabels } from './label-cardinality';

describe('decidePerTargetLabels', () => {
  it.each([
    { setting: 'auto' as const, count: 0, limit: 1000, on: true },
    { setting: 'auto' as const, count: 1000, limit: 1000, on: true },
    { setting: 'auto' as const, count: 1001, limit: 1000, on: false },
    { setting: true, count: 100_000, limit: 1000, on: true },
    { setting: false, count: 3, limit: 1000, on: false },
  ])('$setting with $count targets (limit $limit): per-target labels $on', ({ setting, count, limit, on }) => {
    expect(decidePerTargetLabels(setting, count, limit).perTargetLabels).toBe(on);
  });

  it('warns only when auto switched them off, naming the count, the limit and how to keep them', () => {
    expect(decidePerTargetLabels('auto', 10, 1000).warning).toBeNull();
    expect(decidePerTargetLabels(false, 5000, 1000).warning).toBeNull();
    const { warning } = decidePerTargetLabels('auto', 5000, 1000);
    expect(warning).toContain('5000 targets');
    expect(warning).toContain('metrics.perTargetLabelLimit (1000)');
    expect(warning).toContain('metrics.perTargetLabels: true');
  });
});
