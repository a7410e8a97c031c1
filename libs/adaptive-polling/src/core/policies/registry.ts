import { fieldMessage, unknownPolicy } from '../messages';
import type { IntervalPolicy } from '../types';
import { changeAwarePolicy } from './change-aware';
import { fixedPolicy } from './fixed';
import { pulsePolicy } from './pulse';

/** The product's default interval policy. */
export const DEFAULT_POLICY_NAME = changeAwarePolicy.name;

export const BUILT_IN_POLICIES: readonly IntervalPolicy[] = [changeAwarePolicy, pulsePolicy, fixedPolicy];

/** Thrown when options name a policy nobody registered; the message lists the known ones. */
export class UnknownPolicyError extends Error {
  override readonly name = 'UnknownPolicyError';
  constructor(
    readonly policyName: string,
    readonly knownNames: readonly string[],
  ) {
    super(fieldMessage('policy', unknownPolicy(policyName, knownNames)));
  }
}

export interface PolicyRegistry {
  /** The policy with that name; throws UnknownPolicyError otherwise. */
  get(name: string): IntervalPolicy;
  has(name: string): boolean;
  /** Registered names, sorted. */
  names(): string[];
}

/**
 * Built-ins plus custom policies. A custom policy with a built-in's name
 * replaces it (and a later custom one replaces an earlier one of the same name).
 * Each registry is its own object: no shared module state.
 */
export function createPolicyRegistry(custom: readonly IntervalPolicy[] = []): PolicyRegistry {
  const byName = new Map<string, IntervalPolicy>();
  for (const policy of [...BUILT_IN_POLICIES, ...custom]) {
    if (typeof policy?.name !== 'string' || policy.name.trim() === '' || typeof policy.nextInterval !== 'function') {
      throw new TypeError('An interval policy needs a non-empty name and a nextInterval function');
    }
    byName.set(policy.name, policy);
  }
  const sortedNames = [...byName.keys()].sort();
  return {
    get(name) {
      const policy = byName.get(name);
      if (policy === undefined) throw new UnknownPolicyError(name, sortedNames);
      return policy;
    },
    has: (name) => byName.has(name),
    names: () => [...sortedNames],
  };
}
