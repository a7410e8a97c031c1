import { describe, expect, it } from 'vitest';
import { initialTargetState } from '../core/target-state';
import { testPollingOptions } from '../core/testing/fixtures';
import type { TargetPollState } from '../core/types';
import { FLEET_PARTS, scoresOf } from './fleet-aggregates';

const NOW = 1_800_000_000_000;
const STAMP = NOW + 1;

function state(patch: Partial<TargetPollState> = {}): TargetPollState {
  return { ...initialTargetState(testPollingOptions(), NOW), ...patch };
}

/** The parts a target is in, with their scores. */
function partsOf(paused: boolean, s: TargetPollState | null): Record<string, number> {
  const scores = scoresOf(paused, s, STAMP);
  return Object.fromEntries(FLEET_PARTS.flatMap((part, i) => (scores[i] === null ? [] : [[part, scores[i]]])));
}

describe('scoresOf', () => {
  it('puts a never-polled target in its status set (stamped) and first among the stalest (success 0), a paused one under paused', () => {
    expect(partsOf(false, null)).toEqual({ 'status:polling': STAMP, success: 0 });
    expect(partsOf(true, null)).toEqual({ 'status:paused': STAMP, 'paused-success': 0 });
  });

  it('a healthy target: queued by its next run (rounded up as the job stores it), by its last success', () => {
    expect(partsOf(false, state({ nextRunAtMs: NOW + 10.2, lastSuccessAtMs: NOW - 5 }))).toEqual({
      'status:polling': STAMP,
      next: NOW + 11,
      success: NOW - 5,
    });
    // Paused: not queued, its success kept apart (paused targets have no staleness gauge).
    expect(partsOf(true, state({ nextRunAtMs: NOW + 10, lastSuccessAtMs: NOW - 5 }))).toEqual({
      'status:paused': STAMP,
      'paused-success': NOW - 5,
    });
  });

  it('an open breaker and a dead letter each have their set; a dead letter is never queued', () => {
    const open = state({
      nextRunAtMs: NOW + 1000,
      consecutiveFailures: 3,
      lastError: { message: 'HTTP 502', kind: 'transient', category: 'server_error', atMs: NOW - 1 },
      breaker: { state: 'open', generation: 1, failures: 3, backoffStep: 1, openedAtMs: NOW, retryAtMs: NOW + 999.5 },
    });
    expect(partsOf(false, open)).toEqual({
      'status:breaker_open': STAMP,
      next: NOW + 1000,
      breaker: 3,
      'breaker-open': NOW + 1000,
      success: 0,
    });
    const dead = state({
      nextRunAtMs: NOW + 60_000,
      deadLetter: {
        reason: 'permanent_failure',
        enteredAtMs: NOW,
        retryAtMs: NOW + 60_000,
        failures: 1,
        lastError: 'HTTP 401',
        parkedCount: 1,
      },
    });
    expect(partsOf(false, dead)).toEqual({ 'status:dead_lettered': STAMP, dead: NOW + 60_000, success: 0 });
    expect(partsOf(true, dead)).toEqual({ 'status:paused': STAMP, dead: NOW + 60_000, 'paused-success': 0 });
  });
});
