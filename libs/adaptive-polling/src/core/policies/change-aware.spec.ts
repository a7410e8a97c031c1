import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { IntervalBounds, PolicyInput, PolicyStateJson, RandomSource } from '../types';
import { constantRandom, seededRandom } from '../testing/seeded-random';
import {
  CHANGE_INTERVAL_FACTOR,
  changeAwarePolicy,
  DETECTION_GOAL_MIN_MULTIPLE,
  detectionGoalFloorMs,
  estimatedChangeIntervalMs,
  initialChangeAwareState,
  type ChangeAwarePolicyState,
} from './change-aware';

const BOUNDS: IntervalBounds = { minMs: 5000, maxMs: 300_000, baseMs: 10_000 };

function input(overrides: Partial<PolicyInput> = {}): PolicyInput {
  return {
    now: 0,
    intervals: BOUNDS,
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

/**
 * Polls one target repeatedly, each poll waiting the interval chosen by the
 * previous one, as the engine does. `changedAfter(windowMs)` says whether the
 * data changed in that window. Returns every chosen interval.
 */
function run(options: {
  polls: number;
  bounds?: IntervalBounds;
  jitter?: number;
  random?: RandomSource;
  changedAfter: (windowMs: number) => boolean;
  start?: PolicyStateJson;
}): { intervals: number[]; state: PolicyStateJson } {
  const bounds = options.bounds ?? BOUNDS;
  let state: PolicyStateJson = options.start ?? null;
  let windowMs: number | null = options.start ? bounds.baseMs : null;
  const intervals: number[] = [];
  for (let i = 0; i < options.polls; i++) {
    const decision = changeAwarePolicy.nextInterval(
      state,
      input({
        intervals: bounds,
        jitter: options.jitter ?? 0.05,
        random: options.random ?? constantRandom(0.5),
        changed: windowMs === null ? null : options.changedAfter(windowMs),
        sinceLastSuccessMs: windowMs,
        staleness: windowMs === null ? 1 : Math.min(1, windowMs / bounds.maxMs),
      }),
    );
    // Round-trip through JSON, as the state lives in Redis.
    state = JSON.parse(JSON.stringify(decision.state)) as PolicyStateJson;
    intervals.push(decision.intervalMs);
    windowMs = decision.intervalMs;
  }
  return { intervals, state };
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Data that changes at random (Poisson), every `meanMs` on average. */
const poissonChanges = (meanMs: number, random: RandomSource) => (windowMs: number) => random() < 1 - Math.exp(-windowMs / meanMs);

const boundsArbitrary = fc
  .record({
    minMs: fc.integer({ min: 100, max: 60_000 }),
    spread: fc.integer({ min: 2, max: 500 }),
    basePosition: fc.double({ min: 0, max: 1, noNaN: true }),
  })
  .map(({ minMs, spread, basePosition }): IntervalBounds => {
    const maxMs = minMs * spread;
    return { minMs, maxMs, baseMs: minMs + (maxMs - minMs) * basePosition };
  });

describe('change-aware policy', () => {
  it('a new target starts at about base', () => {
    const first = changeAwarePolicy.nextInterval(null, input());
    expect(first.intervalMs).toBeGreaterThanOrEqual(0.9 * BOUNDS.baseMs);
    expect(first.intervalMs).toBeLessThanOrEqual(BOUNDS.baseMs);
    // The prior's change term is exactly base, so the EMA stays at base.
    expect(first.state).toEqual({ ...initialChangeAwareState(BOUNDS), smoothedMs: expect.closeTo(BOUNDS.baseMs, 6) as number });
  });

  it('settles at the detection goal, within 2x min, for data that changes on every poll (any bounds, any seed)', () => {
    fc.assert(
      fc.property(boundsArbitrary, fc.integer(), (bounds, seed) => {
        // 60 polls: from base = max = 500 x min the memory of the long first
        // windows takes about 45 polls to fade.
        const { intervals } = run({ polls: 60, bounds, random: seededRandom(seed), changedAfter: () => true });
        const floorMs = detectionGoalFloorMs(bounds, 0.05);
        for (const intervalMs of intervals.slice(-10)) {
          // Jittered around the floor 2 x min / 1.05, so never beyond 2 x min.
          expect(intervalMs).toBeLessThanOrEqual(Math.min(bounds.maxMs, DETECTION_GOAL_MIN_MULTIPLE * bounds.minMs) * (1 + 1e-6));
          expect(intervalMs).toBeGreaterThanOrEqual(Math.max(bounds.minMs, floorMs * 0.95 * 0.999));
        }
      }),
    );
  });

  it('the detection goal floor: 2 x min / (1 + jitter), clamped to [min, max]', () => {
    expect(detectionGoalFloorMs(BOUNDS, 0.05)).toBeCloseTo(10_000 / 1.05, 6);
    expect(detectionGoalFloorMs(BOUNDS, 0)).toBe(10_000);
    expect(detectionGoalFloorMs(BOUNDS, Number.NaN)).toBe(10_000);
    expect(detectionGoalFloorMs({ minMs: 5000, baseMs: 6000, maxMs: 8000 }, 0.05)).toBe(8000);
    // Data that changes on every poll, no jitter: exactly the goal, 2 x min.
    const busy = run({ polls: 40, jitter: 0, changedAfter: () => true });
    expect(busy.intervals.at(-1)).toBeCloseTo(2 * BOUNDS.minMs, 6);
  });

  it('settles at 0.8x max or more for data that never changes (any bounds, any seed)', () => {
    fc.assert(
      fc.property(boundsArbitrary, fc.integer(), (bounds, seed) => {
        const { intervals } = run({ polls: 50, bounds, random: seededRandom(seed), changedAfter: () => false });
        for (const intervalMs of intervals.slice(-10)) expect(intervalMs).toBeGreaterThanOrEqual(0.8 * bounds.maxMs);
      }),
    );
  });

  it('polls busier data more often: the interval follows the change rate', () => {
    const meanIntervalFor = (changeEveryMs: number, seed: number): number => {
      const random = seededRandom(seed);
      return mean(run({ polls: 300, random, changedAfter: poissonChanges(changeEveryMs, random) }).intervals.slice(50));
    };
    for (const seed of [1, 2, 3]) {
      const busy = meanIntervalFor(10_000, seed);
      const normal = meanIntervalFor(60_000, seed);
      const slow = meanIntervalFor(600_000, seed);
      expect(busy).toBeLessThan(normal);
      expect(normal).toBeLessThan(slow);
      // About 1.2x the mean time between changes (busy: not below the 2 x min
      // goal), not the 2.3x f a naive count of changed polls would give.
      expect(busy).toBeLessThan(15_000);
      expect(normal).toBeGreaterThan(35_000);
      expect(normal).toBeLessThan(80_000);
      expect(slow).toBeGreaterThan(0.6 * BOUNDS.maxMs);
    }
  });

  it('an outage does not teach a busy target that it is quiet', () => {
    const busy = run({ polls: 40, jitter: 0, changedAfter: () => true });
    const afterOutage = changeAwarePolicy.nextInterval(
      busy.state,
      input({ changed: true, sinceLastSuccessMs: 4 * 3_600_000, staleness: 1, recentFailures: 5 }),
    );
    expect(afterOutage.intervalMs).toBeLessThanOrEqual(1.5 * BOUNDS.minMs);
    // Back at the detection goal (2 x min), not drifting toward quiet.
    const next = run({ polls: 5, jitter: 0, changedAfter: () => true, start: afterOutage.state });
    for (const intervalMs of next.intervals) expect(intervalMs).toBeLessThanOrEqual(2 * BOUNDS.minMs);
  });

  it('a poll that came much later than planned pulls a quiet target toward min', () => {
    const quiet = run({ polls: 40, jitter: 0, changedAfter: () => false });
    const smoothedMs = (quiet.state as ChangeAwarePolicyState).smoothedMs;
    const onTime = changeAwarePolicy.nextInterval(quiet.state, input({ changed: false, sinceLastSuccessMs: smoothedMs }));
    expect(onTime.intervalMs).toBeGreaterThanOrEqual(0.95 * BOUNDS.maxMs);
    const late = changeAwarePolicy.nextInterval(quiet.state, input({ changed: false, sinceLastSuccessMs: smoothedMs + BOUNDS.maxMs }));
    // Fully late: target min, smoothed 0.6 * min + 0.4 * previous.
    expect(late.intervalMs).toBeCloseTo(0.6 * BOUNDS.minMs + 0.4 * smoothedMs, 6);
  });

  it('applies the error penalty and the backlog stretch to the activity target', () => {
    // p = 1 - 1/e over 100 s windows: T = 100 s.
    const state: ChangeAwarePolicyState = {
      smoothedMs: 100_000,
      changeWeight: 1 - Math.exp(-1),
      windowWeight: 1,
      elapsedWeightMs: 100_000,
      observations: 5,
    };
    const plain = changeAwarePolicy.nextInterval(state, input());
    const penalised = changeAwarePolicy.nextInterval(state, input({ recentFailures: 1 }));
    const stretched = changeAwarePolicy.nextInterval(state, input({ backlog: 3 }));
    // Activity target f * 100 s (f = 1.2: 120 s); EMA 0.6 * target + 0.4 * 100 s.
    const activityMs = CHANGE_INTERVAL_FACTOR * 100_000;
    expect(plain.intervalMs).toBeCloseTo(0.6 * activityMs + 40_000, 6);
    expect(penalised.intervalMs).toBeCloseTo(0.6 * (activityMs / 1.6) + 40_000, 6);
    expect(stretched.intervalMs).toBeCloseTo(0.6 * (activityMs * 1.2) + 40_000, 6);
    // Without a change signal nothing is learned.
    expect(plain.state).toMatchObject({ windowWeight: 1, elapsedWeightMs: 100_000, observations: 5 });
  });

  it('reads a foreign or corrupt state: keeps a valid smoothedMs, restarts the learning', () => {
    const fromPulse = changeAwarePolicy.nextInterval({ smoothedMs: 200_000 }, input());
    expect(fromPulse.state).toMatchObject({ windowWeight: 1, elapsedWeightMs: BOUNDS.baseMs, observations: 0 });
    expect(fromPulse.intervalMs).toBeCloseTo(0.6 * BOUNDS.baseMs + 0.4 * 200_000, 6);
    const corrupt = changeAwarePolicy.nextInterval({ smoothedMs: 'x', changeWeight: 3, windowWeight: 1, elapsedWeightMs: null }, input());
    expect(corrupt.intervalMs).toBeCloseTo(BOUNDS.baseMs, 6);
  });

  it('always returns an interval in [min, max] and a JSON-safe state, over any inputs', () => {
    const step = fc.record({
      changed: fc.option(fc.boolean(), { nil: null }),
      sinceLastSuccessMs: fc.option(fc.double({ min: 0, max: 1e9, noNaN: true }), { nil: null }),
      staleness: fc.double({ min: 0, max: 1, noNaN: true }),
      recentFailures: fc.double({ min: 0, max: 50, noNaN: true }),
      backlog: fc.double({ min: 0, max: 100, noNaN: true }),
    });
    fc.assert(
      fc.property(boundsArbitrary, fc.array(step, { minLength: 1, maxLength: 40 }), fc.integer(), (bounds, steps, seed) => {
        const random = seededRandom(seed);
        let state: PolicyStateJson = null;
        for (const s of steps) {
          const decision = changeAwarePolicy.nextInterval(state, input({ ...s, intervals: bounds, jitter: 0.05, random }));
          expect(decision.intervalMs).toBeGreaterThanOrEqual(bounds.minMs);
          expect(decision.intervalMs).toBeLessThanOrEqual(bounds.maxMs);
          state = JSON.parse(JSON.stringify(decision.state)) as PolicyStateJson;
          expect(state).toEqual(decision.state);
        }
      }),
    );
  });
});

describe('change-aware estimator', () => {
  const windows = (changeWeight: number, windowWeight: number, meanWindowMs: number) => ({
    changeWeight,
    windowWeight,
    elapsedWeightMs: meanWindowMs * windowWeight,
  });

  it.each([
    // share of polls that saw a change, mean window -> T = -w / ln(1 - p)
    { name: 'no change seen', state: windows(0, 10, 10_000), expectedMs: Infinity },
    { name: 'every poll changed', state: windows(10, 10, 10_000), expectedMs: 0 },
    { name: 'half of the polls changed', state: windows(5, 10, 10_000), expectedMs: 10_000 / Math.LN2 },
    { name: 'p = 1 - 1/e', state: windows(1 - Math.exp(-1), 1, 7000), expectedMs: 7000 },
    { name: 'corrupt: no windows', state: windows(1, 0, 10_000), expectedMs: Infinity },
  ])('$name -> T = $expectedMs ms', ({ state, expectedMs }) => {
    const t = estimatedChangeIntervalMs(state);
    if (Number.isFinite(expectedMs)) expect(t).toBeCloseTo(expectedMs, 6);
    else expect(t).toBe(expectedMs);
  });

  it('is unbiased for Poisson data polled slower than it changes', () => {
    // Polls every 20 s, data changes every 10 s on average: p = 1 - e^-2.
    expect(estimatedChangeIntervalMs(windows(1 - Math.exp(-2), 1, 20_000))).toBeCloseTo(10_000, 6);
  });

  it('the prior puts T at base / f, so the change term starts at base', () => {
    expect(estimatedChangeIntervalMs(initialChangeAwareState(BOUNDS))).toBeCloseTo(BOUNDS.baseMs / CHANGE_INTERVAL_FACTOR, 6);
  });
});
