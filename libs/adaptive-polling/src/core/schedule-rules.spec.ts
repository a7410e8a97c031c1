import { describe, expect, it } from 'vitest';
import { DUE_SOON_WINDOW_MS, gateTimeMs, isDueSoon, isQueued, stalenessScore } from './schedule-rules';
import type { BreakerState, DeadLetterState } from './types';

const NOW = 1_700_000_000_000;
const closed: BreakerState = { state: 'closed', failures: 0, generation: 0, openedAtMs: null, retryAtMs: null, backoffStep: 0 };
const parked = {
  reason: 'stalled',
  enteredAtMs: NOW,
  retryAtMs: NOW + 60_000,
  failures: 0,
  lastError: 'x',
  parkedCount: 1,
} as DeadLetterState;

describe('schedule rules shared by health and metrics', () => {
  it('staleness: 1 when never succeeded, age / max interval capped at 1, to 4 decimals', () => {
    expect(stalenessScore(null, NOW, 60_000)).toBe(1);
    expect(stalenessScore(NOW - 20_000, NOW, 60_000)).toBe(0.3333);
    expect(stalenessScore(NOW - 600_000, NOW, 60_000)).toBe(1);
    expect(stalenessScore(NOW + 5_000, NOW, 60_000)).toBe(0);
  });

  it('queued: scheduled, not paused, not parked; due soon: queued, not running, within the window', () => {
    expect(isQueued(true, false, null)).toBe(true);
    expect(isQueued(false, false, null)).toBe(false);
    expect(isQueued(true, true, null)).toBe(false);
    expect(isQueued(true, false, { deadLetter: parked })).toBe(false);
    expect(isDueSoon(true, false, NOW + DUE_SOON_WINDOW_MS, NOW)).toBe(true);
    expect(isDueSoon(true, false, NOW + DUE_SOON_WINDOW_MS + 1, NOW)).toBe(false);
    expect(isDueSoon(true, true, NOW, NOW)).toBe(false);
    expect(isDueSoon(false, false, NOW, NOW)).toBe(false);
    expect(isDueSoon(true, false, null, NOW)).toBe(false);
  });

  it('gate time: now, or the later of the dead-letter retry and an open breaker retry', () => {
    expect(gateTimeMs({ deadLetter: null, breaker: closed }, NOW)).toBe(NOW);
    expect(gateTimeMs({ deadLetter: parked, breaker: closed }, NOW)).toBe(NOW + 60_000);
    const open = { ...closed, state: 'open', retryAtMs: NOW + 90_000 } as BreakerState;
    expect(gateTimeMs({ deadLetter: parked, breaker: open }, NOW)).toBe(NOW + 90_000);
  });
});
