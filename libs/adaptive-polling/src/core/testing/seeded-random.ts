import type { RandomSource } from '../types';

/**
 * mulberry32: a tiny seeded PRNG for tests and simulations, so every run with
 * the same seed draws the same numbers. Each call returns a new, independent
 * generator (no shared state).
 */
export function seededRandom(seed: number): RandomSource {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Always the same value: 0.5 means "no jitter" for U(-j, +j) = j * (2r - 1). */
export function constantRandom(value: number): RandomSource {
  return () => value;
}
