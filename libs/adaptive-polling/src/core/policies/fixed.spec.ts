import { describe, expect, it } from 'vitest';
import type { PolicyInput } from '../types';
import { constantRandom } from '../testing/seeded-random';
import { fixedPolicy } from './fixed';

function input(overrides: Partial<PolicyInput> = {}): PolicyInput {
  return {
    now: 0,
    intervals: { minMs: 5000, maxMs: 60_000, baseMs: 10_000 },
    staleness: 1,
    recentFailures: 3,
    backlog: 10,
    changed: true,
    sinceLastSuccessMs: 1,
    jitter: 0,
    random: constantRandom(0.5),
    ...overrides,
  };
}

describe('fixed policy', () => {
  it.each([
    { jitter: 0, random: 0.9, expectedMs: 10_000 },
    { jitter: 0.05, random: 0, expectedMs: 9500 },
    { jitter: 0.05, random: 1, expectedMs: 10_500 },
  ])('base 10 s, jitter $jitter, random $random -> $expectedMs ms whatever the other inputs', (row) => {
    const decision = fixedPolicy.nextInterval({ smoothedMs: 60_000 }, input({ jitter: row.jitter, random: constantRandom(row.random) }));
    expect(decision.intervalMs).toBeCloseTo(row.expectedMs, 6);
    expect(decision.state).toBeNull();
  });

  it('jitter never takes the interval outside [min, max]', () => {
    const atMin = input({ intervals: { minMs: 5000, maxMs: 5000, baseMs: 5000 }, jitter: 0.5, random: constantRandom(0) });
    expect(fixedPolicy.nextInterval(null, atMin).intervalMs).toBe(5000);
  });
});
