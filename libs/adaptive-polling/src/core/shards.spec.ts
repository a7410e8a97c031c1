import { describe, expect, it } from 'vitest';
import { fmix32, hashString32 } from './hash32';
import { shardOfTarget } from './shards';

const HASH_PVE_A = 0xb4280448;
const SHARDS_OF_3 = [2, 2, 0, 1];

describe('shardOfTarget', () => {
  it('puts everything in shard 0 with one shard', () => {
    expect(shardOfTarget('pve::a', 1)).toBe(0);
  });

  it('is a fixed function of the key (the same in every process and release)', () => {
    // Pinned values: a change here re-homes every target of every user.
    expect([hashString32(''), fmix32(1), hashString32('pve::a')]).toEqual([0xab3e7c0b, 0x514e28b7, HASH_PVE_A]);
    expect(['pve::a', 'pve::b', 'pbs::backup-1', 'pmg::mail'].map((k) => shardOfTarget(k, 3))).toEqual(SHARDS_OF_3);
  });

  it('spreads keys evenly over the shards (within 10 % of a third at 3,000 keys)', () => {
    const counts = [0, 0, 0];
    for (let i = 0; i < 3_000; i++) counts[shardOfTarget(`scripted::t-${i}`, 3)]++;
    for (const n of counts) expect(Math.abs(n - 1_000)).toBeLessThan(100);
  });
});
