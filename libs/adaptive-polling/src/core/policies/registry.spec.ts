import { describe, expect, it } from 'vitest';
import type { IntervalPolicy } from '../types';
import { changeAwarePolicy } from './change-aware';
import { fixedPolicy } from './fixed';
import { pulsePolicy } from './pulse';
import { createPolicyRegistry, DEFAULT_POLICY_NAME, UnknownPolicyError } from './registry';

const constantPolicy = (name: string, intervalMs: number): IntervalPolicy => ({
  name,
  nextInterval: () => ({ intervalMs, state: null }),
});

describe('createPolicyRegistry', () => {
  it('holds the three built-ins, change-aware being the default', () => {
    const registry = createPolicyRegistry();
    expect(registry.names()).toEqual(['change-aware', 'fixed', 'pulse']);
    expect(registry.get('pulse')).toBe(pulsePolicy);
    expect(registry.get('fixed')).toBe(fixedPolicy);
    expect(registry.get(DEFAULT_POLICY_NAME)).toBe(changeAwarePolicy);
  });

  it('adds custom policies, and one with a built-in name replaces it', () => {
    const mine = constantPolicy('mine', 1234);
    const myPulse = constantPolicy('pulse', 42);
    const registry = createPolicyRegistry([mine, myPulse]);
    expect(registry.names()).toEqual(['change-aware', 'fixed', 'mine', 'pulse']);
    expect(registry.get('mine')).toBe(mine);
    expect(registry.get('pulse')).toBe(myPulse);
    expect(registry.has('mine')).toBe(true);
    expect(registry.has('nope')).toBe(false);
  });

  it('names the known policies when asked for an unknown one', () => {
    const registry = createPolicyRegistry([constantPolicy('mine', 1)]);
    expect(() => registry.get('pluse')).toThrow(UnknownPolicyError);
    expect(() => registry.get('pluse')).toThrow(/"pluse".*change-aware, fixed, mine, pulse/);
  });

  it('rejects a policy without a name or nextInterval', () => {
    expect(() => createPolicyRegistry([{ name: '', nextInterval: () => ({ intervalMs: 1, state: null }) }])).toThrow(TypeError);
    expect(() => createPolicyRegistry([{ name: 'x' } as unknown as IntervalPolicy])).toThrow(TypeError);
  });

  it('registries are independent (no module state)', () => {
    const a = createPolicyRegistry([constantPolicy('only-in-a', 1)]);
    const b = createPolicyRegistry();
    expect(a.has('only-in-a')).toBe(true);
    expect(b.has('only-in-a')).toBe(false);
    a.names().push('mutated');
    expect(a.names()).not.toContain('mutated');
  });
});
