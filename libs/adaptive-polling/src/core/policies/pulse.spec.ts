import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { IntervalBounds, PolicyInput, PolicyStateJson } from '../types';
import { constantRandom, seededRandom } from '../testing/seeded-random';
import { pulsePolicy } from './pulse';

const SPEC_BOUNDS: IntervalBounds = { minMs: 5000, maxMs: 60_000, baseMs: 10_000 };

function input(overrides: Partial<PolicyInput> = {}): PolicyInput {
  return {
    now: 0,
    intervals: SPEC_BOUNDS,
    staleness: 0,
    recentFailures: 0,
    backlog: 1,
    changed: null,
    sinceLastSuccessMs: null,
    jitter: 0,
    random: constantRandom(0.5),
    ...overrides,
  };
}

describe('pulse policy: SPEC 2 pinned examples (min 5 s, max 60 s, base 10 s, no jitter)', () => {
  it.each([
    { staleness: 0, recentFailures: 0, backlog: 1, expectedMs: 40_000 },
    { staleness: 1, recentFailures: 0, backlog: 1, expectedMs: 7000 },
    { staleness: 0.5, recentFailures: 0, backlog: 1, expectedMs: 23_500 },
    { staleness: 0.5, recentFailures: 1, backlog: 1, expectedMs: 16_187.5 },
    { staleness: 0.5, recentFailures: 0, backlog: 5, expectedMs: 31_300 },
  ])('fresh state, s=$staleness n=$recentFailures d=$backlog -> $expectedMs ms', (row) => {
    const decision = pulsePolicy.nextInterval(null, input(row));
    expect(decision.intervalMs).toBeCloseTo(row.expectedMs, 6);
    // Stored before jitter: with jitter 0 the state equals the interval.
    expect(decision.state).toEqual({ smoothedMs: decision.intervalMs });
  });

  it('three calls on one target with s = 1, 0, 0 give 7 s, 38.8 s, 51.52 s', () => {
    let state: PolicyStateJson = null;
    const intervals: number[] = [];
    for (const staleness of [1, 0, 0]) {
      const decision = pulsePolicy.nextInterval(state, input({ staleness }));
      intervals.push(decision.intervalMs);
      state = JSON.parse(JSON.stringify(decision.state)) as PolicyStateJson; // as it comes back from Redis
    }
    expect(intervals[0]).toBeCloseTo(7000, 6);
    expect(intervals[1]).toBeCloseTo(38_800, 6);
    expect(intervals[2]).toBeCloseTo(51_520, 6);
  });
});

describe('pulse policy: terms', () => {
  it('the error penalty is floored at min before smoothing', () => {
    // s = 1 gives target min; any penalty keeps it at min: 0.6 * 5 + 0.4 * 10 = 7 s.
    expect(pulsePolicy.nextInterval(null, input({ staleness: 1, recentFailures: 50 })).intervalMs).toBeCloseTo(7000, 6);
  });

  it('the backlog stretch is capped at max and ignored at or below 1', () => {
    expect(pulsePolicy.nextInterval(null, input({ staleness: 0, backlog: 100 })).intervalMs).toBeCloseTo(40_000, 6);
    expect(pulsePolicy.nextInterval(null, input({ staleness: 0.5, backlog: 0.3 })).intervalMs).toBeCloseTo(23_500, 6);
  });

  it('jitter is applied after the stored smoothed value', () => {
    const decision = pulsePolicy.nextInterval(null, input({ staleness: 0.5, jitter: 0.05, random: constantRandom(1) }));
    expect(decision.state).toEqual({ smoothedMs: expect.closeTo(23_500, 6) as number });
    expect(decision.intervalMs).toBeCloseTo(23_500 * 1.05, 6);
  });

  it('a corrupt state is reseeded with base', () => {
    const decision = pulsePolicy.nextInterval({ smoothedMs: 'x' }, input({ staleness: 1 }));
    expect(decision.intervalMs).toBeCloseTo(7000, 6);
  });

  it('always returns an interval in [min, max], over any sequence of inputs', () => {
    const step = fc.record({
      staleness: fc.double({ min: -1, max: 2, noNaN: true }),
      recentFailures: fc.double({ min: 0, max: 100, noNaN: true }),
      backlog: fc.double({ min: 0, max: 1000, noNaN: true }),
      jitter: fc.double({ min: 0, max: 0.5, noNaN: true }),
    });
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 30 }), fc.integer(), (steps, seed) => {
        const random = seededRandom(seed);
        let state: PolicyStateJson = null;
        for (const s of steps) {
          const decision = pulsePolicy.nextInterval(state, input({ ...s, random }));
          expect(decision.intervalMs).toBeGreaterThanOrEqual(SPEC_BOUNDS.minMs);
          expect(decision.intervalMs).toBeLessThanOrEqual(SPEC_BOUNDS.maxMs);
          state = decision.state;
        }
      }),
    );
  });
});
