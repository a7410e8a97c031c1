import type { TypePollingOptions } from '../types';

const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;

/** The documented defaults (SPEC 2, 3), built here so core tests do not depend on option resolution. */
export function testPollingOptions(overrides: Partial<TypePollingOptions> = {}): TypePollingOptions {
  return {
    enabled: true,
    policy: 'change-aware',
    intervals: { baseMs: 10 * SECOND_MS, minMs: 5 * SECOND_MS, maxMs: 5 * MINUTE_MS },
    intervalJitter: 0.05,
    pollTimeoutMs: 120 * SECOND_MS,
    backoff: {
      initialMs: 5 * SECOND_MS,
      multiplier: 2,
      jitter: 0.2,
      maxMs: 5 * MINUTE_MS,
      shortModeMaxIntervalMs: 15 * SECOND_MS,
      shortInitialMs: 750,
      shortMaxMs: 6 * SECOND_MS,
    },
    breaker: { failureThreshold: 3 },
    deadLetter: { maxTransientFailures: 5, retryDelayMs: 30 * MINUTE_MS },
    ...overrides,
  };
}
