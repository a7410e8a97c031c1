import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffBaseDelayMs, backoffDelayMs, backoffSeries } from './backoff';
import { constantRandom, seededRandom } from './testing/seeded-random';
import { testPollingOptions } from './testing/fixtures';

const backoff = testPollingOptions().backoff;
const NORMAL_MAX_INTERVAL_MS = 5 * 60_000;
const SHORT_MAX_INTERVAL_MS = 10_000;

describe('backoffSeries', () => {
  it.each([
    { maxIntervalMs: 5 * 60_000, shortMode: false, initialMs: 5000, maxMs: 300_000 },
    { maxIntervalMs: 15_001, shortMode: false, initialMs: 5000, maxMs: 300_000 },
    { maxIntervalMs: 15_000, shortMode: true, initialMs: 750, maxMs: 6000 },
    { maxIntervalMs: 10_000, shortMode: true, initialMs: 750, maxMs: 6000 },
  ])('max interval $maxIntervalMs ms -> short mode $shortMode', ({ maxIntervalMs, shortMode, initialMs, maxMs }) => {
    expect(backoffSeries(backoff, maxIntervalMs)).toEqual({
      initialMs,
      maxMs,
      multiplier: 2,
      jitter: 0.2,
      shortMode,
    });
  });
});

describe('backoffBaseDelayMs', () => {
  it.each([
    [0, 5000],
    [1, 10_000],
    [2, 20_000],
    [3, 40_000],
    [4, 80_000],
    [5, 160_000],
    [6, 300_000],
    [7, 300_000],
    [50, 300_000],
    [5000, 300_000],
  ])('normal series: step %i -> %i ms', (step, expectedMs) => {
    expect(backoffBaseDelayMs(step, backoff, NORMAL_MAX_INTERVAL_MS)).toBe(expectedMs);
  });

  it.each([
    [0, 750],
    [1, 1500],
    [2, 3000],
    [3, 6000],
    [4, 6000],
    [10, 6000],
  ])('short series: step %i -> %i ms', (step, expectedMs) => {
    expect(backoffBaseDelayMs(step, backoff, SHORT_MAX_INTERVAL_MS)).toBe(expectedMs);
  });

  it('treats a negative or non-finite step as the first retry', () => {
    expect(backoffBaseDelayMs(-3, backoff, NORMAL_MAX_INTERVAL_MS)).toBe(5000);
    expect(backoffBaseDelayMs(Number.NaN, backoff, NORMAL_MAX_INTERVAL_MS)).toBe(5000);
  });

  it('never decreases from one step to the next, and never exceeds the cap', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: 1, max: 60_000 }),
        fc.double({ min: 1, max: 10, noNaN: true }),
        fc.integer({ min: 1, max: 3_600_000 }),
        fc.boolean(),
        (step, initialMs, multiplier, capMs, short) => {
          const options = { ...backoff, initialMs, multiplier, maxMs: Math.max(capMs, initialMs) };
          const maxIntervalMs = short ? SHORT_MAX_INTERVAL_MS : NORMAL_MAX_INTERVAL_MS;
          const cap = backoffSeries(options, maxIntervalMs).maxMs;
          const here = backoffBaseDelayMs(step, options, maxIntervalMs);
          const next = backoffBaseDelayMs(step + 1, options, maxIntervalMs);
          expect(next).toBeGreaterThanOrEqual(here);
          expect(next).toBeLessThanOrEqual(cap);
          // Below the cap, a multiplier clearly above 1 strictly grows the delay.
          if (here < cap && multiplier >= 1.01) expect(next).toBeGreaterThan(here);
        },
      ),
    );
  });
});

describe('backoffDelayMs', () => {
  it.each([
    // random 0 -> factor 0.8, 0.5 -> 1, just under 1 -> ~1.2
    { step: 0, random: 0, expectedMs: 4000 },
    { step: 0, random: 0.5, expectedMs: 5000 },
    { step: 1, random: 0.75, expectedMs: 11_000 },
    { step: 2, random: 0.25, expectedMs: 18_000 },
    // at the cap, positive jitter is clamped back to the cap
    { step: 6, random: 0.999, expectedMs: 300_000 },
    { step: 6, random: 0, expectedMs: 240_000 },
  ])('step $step, random $random -> $expectedMs ms', ({ step, random, expectedMs }) => {
    expect(backoffDelayMs(step, backoff, NORMAL_MAX_INTERVAL_MS, constantRandom(random))).toBeCloseTo(expectedMs, 6);
  });

  it('short mode never waits more than 6 s', () => {
    expect(backoffDelayMs(3, backoff, SHORT_MAX_INTERVAL_MS, constantRandom(0.999))).toBe(6000);
    expect(backoffDelayMs(2, backoff, SHORT_MAX_INTERVAL_MS, constantRandom(0.999))).toBeCloseTo(3000 * 1.1996, 6);
  });

  it('stays within +-jitter of the base delay and never above the cap', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 }), fc.integer(), fc.boolean(), (step, seed, short) => {
        const maxIntervalMs = short ? SHORT_MAX_INTERVAL_MS : NORMAL_MAX_INTERVAL_MS;
        const baseMs = backoffBaseDelayMs(step, backoff, maxIntervalMs);
        const capMs = backoffSeries(backoff, maxIntervalMs).maxMs;
        const delayMs = backoffDelayMs(step, backoff, maxIntervalMs, seededRandom(seed));
        expect(delayMs).toBeGreaterThanOrEqual(baseMs * 0.8 - 1e-9);
        expect(delayMs).toBeLessThanOrEqual(Math.min(capMs, baseMs * 1.2) + 1e-9);
      }),
    );
  });
});
