import { describe, expect, it } from 'vitest';
import { AuthFailureLimiter } from './auth-failure-limiter';

function limiterAt(limit = { maxFailures: 3, windowMs: 60_000, maxTrackedClients: 100 }) {
  const time = { now: 1_000_000 };
  const limiter = new AuthFailureLimiter(limit, () => time.now);
  return { limiter, time };
}

describe('AuthFailureLimiter', () => {
  it('refuses an address after maxFailures failures until the window from its first failure ends', () => {
    const { limiter, time } = limiterAt();
    expect(limiter.recordFailure('10.0.0.1')).toBe(0);
    time.now += 10_000;
    expect(limiter.recordFailure('10.0.0.1')).toBe(0);
    expect(limiter.retryAfterMs('10.0.0.1')).toBe(0);
    expect(limiter.recordFailure('10.0.0.1')).toBe(50_000);
    expect(limiter.retryAfterMs('10.0.0.1')).toBe(50_000);
    time.now += 49_999;
    expect(limiter.retryAfterMs('10.0.0.1')).toBe(1);
    time.now += 1;
    expect(limiter.retryAfterMs('10.0.0.1')).toBe(0);
    expect(limiter.recordFailure('10.0.0.1')).toBe(0);
  });

  it('counts each address apart', () => {
    const { limiter } = limiterAt();
    for (let i = 0; i < 3; i++) limiter.recordFailure('a');
    expect(limiter.retryAfterMs('a')).toBeGreaterThan(0);
    expect(limiter.retryAfterMs('b')).toBe(0);
  });

  it('keeps at most maxTrackedClients addresses, dropping expired then oldest windows', () => {
    const { limiter, time } = limiterAt({ maxFailures: 2, windowMs: 1_000, maxTrackedClients: 3 });
    limiter.recordFailure('old');
    time.now += 1_000;
    limiter.recordFailure('a');
    limiter.recordFailure('b');
    limiter.recordFailure('c');
    expect(limiter.trackedClients).toBe(3);
    limiter.recordFailure('d');
    expect(limiter.trackedClients).toBe(3);
    expect(limiter.retryAfterMs('d')).toBe(0);
  });
});
