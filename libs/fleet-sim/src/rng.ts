/**
 * Seeded randomness for the fleet simulators.
 *
 * Every random quantity of the simulated fleet comes from a stream derived
 * from (seed, labels...), e.g. (1, 'pve-busy-3', 'changes'). A target's
 * streams depend only on the seed and the target's name, never on how many
 * other targets exist or in which order they are visited, so a result is
 * reproducible per seed and one target's behaviour does not move when the
 * fleet file gains an entry.
 */

import { hashString32 } from '../../adaptive-polling/src/core/hash32';

/** The simulator's string hash is the library's (core/hash32.ts): one copy of the rule. */
export { hashString32 };

/** A source of uniform numbers in [0, 1). Same shape as the core's RandomSource. */
export type Random = () => number;

/**
 * mulberry32: a small, fast 32-bit PRNG with a full 2^32 period; good enough
 * for simulation (not for cryptography).
 */
export function mulberry32(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 32-bit seed for the stream named by `labels` under `seed`. */
export function deriveSeed(seed: number, ...labels: Array<string | number>): number {
  return hashString32(`${seed}\u0000${labels.join('\u0000')}`);
}

/** An independent stream for (seed, labels...). */
export function derivedStream(seed: number, ...labels: Array<string | number>): Random {
  return mulberry32(deriveSeed(seed, ...labels));
}

/**
 * One uniform number in [0, 1) that is a pure function of (seed, labels...):
 * used for draws keyed by time (e.g. "does the poll at t fail?"), so any
 * caller asking the same question gets the same answer.
 */
export function uniformAt(seed: number, ...labels: Array<string | number>): number {
  return mulberry32(deriveSeed(seed, ...labels))();
}
