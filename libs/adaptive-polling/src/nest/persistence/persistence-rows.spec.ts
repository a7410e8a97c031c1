import { describe, expect, it } from 'vitest';
import { defaultPollingOptions } from '../../core/options';
import { initialTargetState, isTargetPollState } from '../../core/target-state';
import { deadLetterRow, definitionFromRow, runtimeTargetRow, stateFromDeadLetterRow } from './persistence-rows';

const options = defaultPollingOptions();
const NOW = 1_766_000_000_000;

function parkedState() {
  const state = initialTargetState(options, NOW - 1000);
  return {
    ...state,
    consecutiveFailures: 5,
    lastPollAtMs: NOW,
    deadLetter: {
      reason: 'max_retry_attempts' as const,
      enteredAtMs: NOW,
      retryAtMs: NOW + 30 * 60_000,
      failures: 5,
      lastError: 'GET https://admin:hunter2@pve.example/api failed',
      parkedCount: 2,
    },
    nextRunAtMs: NOW + 30 * 60_000,
  };
}

describe('persistence rows', () => {
  it('keeps the whole parked state and gives it back due at the retry time, with secrets redacted', () => {
    const row = deadLetterRow('pve::a', 'pve', parkedState(), NOW)!;
    expect(row.lastError).not.toContain('hunter2');
    expect(row.stateJson).not.toContain('hunter2');
    const back = stateFromDeadLetterRow(row, options, NOW + 5);
    expect(isTargetPollState(back)).toBe(true);
    expect(back.deadLetter).toMatchObject({ reason: 'max_retry_attempts', retryAtMs: NOW + 30 * 60_000, parkedCount: 2 });
    expect(back.consecutiveFailures).toBe(5);
    expect(back.nextRunAtMs).toBe(NOW + 30 * 60_000);
  });

  it('rebuilds a valid parked state from the columns when the stored state is unreadable', () => {
    const row = { ...deadLetterRow('pve::a', 'pve', parkedState(), NOW)!, stateJson: '{not json' };
    const back = stateFromDeadLetterRow(row, options, NOW + 5);
    expect(isTargetPollState(back)).toBe(true);
    expect(back.deadLetter?.retryAtMs).toBe(NOW + 30 * 60_000);
    expect(back.nextRunAtMs).toBe(NOW + 30 * 60_000);
    expect(back.lastError).toMatchObject({ kind: 'transient' });
  });

  it('no row for a target that is not parked', () => {
    expect(deadLetterRow('pve::a', 'pve', initialTargetState(options, NOW), NOW)).toBeNull();
  });

  it('round-trips a run-time target, connection details and pause included; rejects a malformed one', () => {
    const def = {
      name: 'a',
      type: 'pve',
      displayName: 'A',
      connection: { token: 't' },
      metadata: { m: 1 },
      fixedIntervalMs: null,
      paused: true,
    };
    const row = runtimeTargetRow('pve::a', def, NOW);
    expect(definitionFromRow(row)).toEqual(def);
    expect(definitionFromRow({ ...row, definitionJson: '{"name": 3}' })).toBeNull();
  });
});
