import { describe, expect, it } from 'vitest';
import { initialTargetState } from '../../core/target-state';
import { normaliseTarget } from '../../core/target';
import { testPollingOptions } from '../../core/testing/fixtures';
import type { TargetPollState } from '../../core/types';
import type { TargetSnapshot } from '../../engine/polling-engine';
import { snapshotGaugeValues, type GaugeSample, type SnapshotGaugeInput } from './snapshot-gauges';

const NOW = 1_700_000_000_000;

function snap(
  type: string,
  name: string,
  state: Partial<TargetPollState> | null,
  extra: Partial<Omit<TargetSnapshot, 'definition' | 'state'>> & { paused?: boolean } = {},
): TargetSnapshot {
  const { paused = false, ...rest } = extra;
  return {
    definition: { ...normaliseTarget({ type, name }), paused },
    state: state === null ? null : { ...initialTargetState(testPollingOptions(), NOW - 60_000), ...state },
    running: false,
    scheduled: true,
    ...rest,
  };
}

function input(snapshots: TargetSnapshot[], overrides: Partial<SnapshotGaugeInput> = {}): SnapshotGaugeInput {
  return {
    snapshots,
    nowMs: NOW,
    perTargetLabels: true,
    knownTypes: [],
    maxIntervalMs: (type) => (type === 'pve' ? 60_000 : 300_000),
    dueSoonWindowMs: 12_000,
    ...overrides,
  };
}

function valueOf(samples: GaugeSample[], labels: Record<string, string>): number | undefined {
  return samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

const open = (retryInMs: number, failures = 3): Partial<TargetPollState> => ({
  breaker: { state: 'open', generation: 1, failures, backoffStep: 1, openedAtMs: NOW - 1000, retryAtMs: NOW + retryInMs },
});

describe('snapshotGaugeValues', () => {
  it('reports each target under its key, with staleness -1 for a target that never succeeded', () => {
    const values = snapshotGaugeValues(
      input([
        snap('pve', 'a', { lastSuccessAtMs: NOW - 30_000 }),
        snap('pve', 'b', null),
        snap('pbs', 'c', { lastSuccessAtMs: NOW - 5_000 }),
      ]),
    );
    expect(valueOf(values.staleness, { instance: 'pve::a' })).toBe(30);
    expect(valueOf(values.staleness, { instance: 'pve::b' })).toBe(-1);
    expect(valueOf(values.lastSuccess, { instance: 'pve::a' })).toBe((NOW - 30_000) / 1000);
    expect(valueOf(values.lastSuccess, { instance: 'pve::b' })).toBeUndefined();
    expect(valueOf(values.targetsByType, { instance_type: 'pve' })).toBe(2);
    expect(valueOf(values.maxIntervalByType, { instance_type: 'pve' })).toBe(60);
    expect(valueOf(values.maxIntervalByType, { instance_type: 'pbs' })).toBe(300);
  });

  it('clamps a last success in the future (clock skew between replicas) to staleness 0', () => {
    const values = snapshotGaugeValues(input([snap('pve', 'a', { lastSuccessAtMs: NOW + 5_000 })]));
    expect(valueOf(values.staleness, { instance: 'pve::a' })).toBe(0);
  });

  it('maps breaker states to 0 closed, 1 half_open, 2 open, with the time to the probe', () => {
    const values = snapshotGaugeValues(
      input([
        snap('pve', 'closed', {}),
        snap('pve', 'open', open(20_000, 4)),
        snap('pve', 'overdue', open(-5_000)),
        snap('pve', 'half', {
          breaker: { state: 'half_open', generation: 2, failures: 3, backoffStep: 1, openedAtMs: null, retryAtMs: NOW - 1 },
        }),
      ]),
    );
    expect(valueOf(values.breakerState, { instance: 'pve::closed' })).toBe(0);
    expect(valueOf(values.breakerState, { instance: 'pve::half' })).toBe(1);
    expect(valueOf(values.breakerState, { instance: 'pve::open' })).toBe(2);
    expect(valueOf(values.breakerRetry, { instance: 'pve::open' })).toBe(20);
    expect(valueOf(values.breakerRetry, { instance: 'pve::overdue' })).toBe(0);
    expect(valueOf(values.breakerRetry, { instance: 'pve::half' })).toBe(0);
    expect(valueOf(values.breakerFailures, { instance: 'pve::open' })).toBe(4);
  });

  it('counts the queue like the health API: not paused, not parked; due soon within the window and not running', () => {
    const parked: Partial<TargetPollState> = {
      deadLetter: {
        reason: 'permanent_failure',
        enteredAtMs: NOW,
        retryAtMs: NOW + 1_800_000,
        failures: 1,
        lastError: 'x',
        parkedCount: 1,
      },
    };
    const values = snapshotGaugeValues(
      input([
        snap('pve', 'soon', { nextRunAtMs: NOW + 11_000 }),
        snap('pve', 'later', { nextRunAtMs: NOW + 13_000 }),
        snap('pve', 'running', { nextRunAtMs: NOW }, { running: true }),
        snap('pve', 'paused', { nextRunAtMs: NOW }, { paused: true }),
        snap('pbs', 'parked', { ...parked, nextRunAtMs: NOW }),
        snap('pbs', 'unscheduled', { nextRunAtMs: NOW }, { scheduled: false }),
      ]),
    );
    expect(values.queueDepth).toBe(3);
    expect(values.dueSoon).toBe(1);
    expect(valueOf(values.queueDepthByType, { instance_type: 'pve' })).toBe(3);
    expect(valueOf(values.queueDepthByType, { instance_type: 'pbs' })).toBe(0);
    expect(valueOf(values.deadLetterDepth, { instance: 'pbs::parked' })).toBe(1);
    expect(valueOf(values.deadLetterDepth, { instance: 'pve::soon' })).toBe(0);
    expect(valueOf(values.staleness, { instance: 'pve::paused' })).toBeUndefined();
  });

  it('aggregates per type under instance="all" without per-target labels', () => {
    const values = snapshotGaugeValues(
      input(
        [
          snap('pve', 'a', { lastSuccessAtMs: NOW - 30_000 }),
          snap('pve', 'b', { ...open(10_000, 5), lastSuccessAtMs: NOW - 90_000 }),
          snap('pve', 'never', null),
          snap('pbs', 'only-never', null),
          snap('pbs', 'parked', {
            deadLetter: { reason: 'max_retry_attempts', enteredAtMs: NOW, retryAtMs: NOW, failures: 5, lastError: 'x', parkedCount: 1 },
          }),
        ],
        { perTargetLabels: false },
      ),
    );
    for (const list of [values.staleness, values.breakerState, values.deadLetterDepth, values.breakerRetry]) {
      expect(new Set(list.map((s) => s.labels.instance))).toEqual(new Set(['all']));
    }
    expect(valueOf(values.staleness, { instance_type: 'pve' })).toBe(90);
    expect(valueOf(values.staleness, { instance_type: 'pbs' })).toBe(-1);
    expect(valueOf(values.lastSuccess, { instance_type: 'pve' })).toBe((NOW - 30_000) / 1000);
    expect(valueOf(values.breakerState, { instance_type: 'pve' })).toBe(2);
    expect(valueOf(values.breakerFailures, { instance_type: 'pve' })).toBe(5);
    expect(valueOf(values.breakerRetry, { instance_type: 'pve' })).toBe(10);
    expect(valueOf(values.deadLetterDepth, { instance_type: 'pbs' })).toBe(1);
    expect(values.staleness).toHaveLength(2);
  });

  it('reports configured types without targets as 0 targets, with their max interval', () => {
    const values = snapshotGaugeValues(input([], { knownTypes: ['pmg'] }));
    expect(values.targetsByType).toEqual([{ labels: { instance_type: 'pmg' }, value: 0 }]);
    expect(valueOf(values.maxIntervalByType, { instance_type: 'pmg' })).toBe(300);
    expect(values.queueDepth).toBe(0);
  });

  it('reads 10,000 targets in one linear pass', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => snap(i % 2 ? 'pve' : 'pbs', `t${i}`, { lastSuccessAtMs: NOW - i }));
    const values = snapshotGaugeValues(input(many));
    expect(values.staleness).toHaveLength(10_000);
    expect(valueOf(values.targetsByType, { instance_type: 'pve' })).toBe(5_000);
  });
});
