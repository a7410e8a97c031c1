import { describe, expect, it } from 'vitest';
import { initialTargetState } from '../core/target-state';
import { testPollingOptions } from '../core/testing/fixtures';
import { FAILURE_CATEGORIES, type BreakerState, type DeadLetterState, type TargetPollState } from '../core/types';
import { decodeTargetState, encodeJobData, encodeTargetState, targetStateFromJobData } from './job-state-codec';

const T0 = 1_795_433_627_028;
const SHA1 = '2be88ca4242c76e8253ac62474851065032d6833';

function polledState(overrides: Partial<TargetPollState> = {}): TargetPollState {
  return {
    ...initialTargetState(testPollingOptions(), T0),
    lastPollAtMs: T0,
    lastSuccessAtMs: T0,
    lastChangeAtMs: T0 - 90_000,
    lastResultHash: SHA1,
    intervalMs: 60_000,
    nextRunAtMs: T0 + 60_000,
    totals: { polls: 12, failures: 3, changes: 4 },
    ...overrides,
  };
}

/** What the engine writes and reads back: JSON through Redis, decoded. */
function throughRedis(state: TargetPollState | null, dueAtMs = state?.nextRunAtMs ?? T0): TargetPollState | null {
  return targetStateFromJobData(JSON.parse(JSON.stringify(encodeJobData('pve::a', dueAtMs, state))));
}

const openBreaker: BreakerState = {
  state: 'open',
  generation: 4,
  failures: 3,
  backoffStep: 2,
  openedAtMs: T0 - 1_000,
  retryAtMs: T0 + 20_000,
};
const parked: DeadLetterState = {
  reason: 'max_retry_attempts',
  enteredAtMs: T0,
  retryAtMs: T0 + 30 * 60_000,
  failures: 5,
  lastError: 'connect ECONNREFUSED 10.0.0.1:8006',
  parkedCount: 2,
};

describe('job state codec: round trips', () => {
  it('a never-polled state, and no state at all', () => {
    const fresh = initialTargetState(testPollingOptions(), T0);
    expect(throughRedis(fresh)).toEqual(fresh);
    expect(throughRedis(null)).toBeNull();
    expect(encodeJobData('pve::a', T0, null)).toEqual({ key: 'pve::a', dueAtMs: T0, state: null });
  });

  it('a healthy polled state, exactly', () => {
    const state = polledState();
    expect(throughRedis(state)).toEqual(state);
  });

  it('a next run other than the due time, and a null next run', () => {
    expect(throughRedis(polledState(), T0 + 5_000)).toEqual(polledState());
    expect(throughRedis(polledState({ nextRunAtMs: null }), T0)).toEqual(polledState({ nextRunAtMs: null }));
  });

  it('a last error of every kind and category', () => {
    for (const kind of ['transient', 'permanent'] as const) {
      for (const category of FAILURE_CATEGORIES) {
        const state = polledState({
          lastError: { message: `boom "${category}" \u00e9`, kind, category, atMs: T0 - 7 },
          consecutiveFailures: 2,
          recentFailures: 2,
        });
        expect(throughRedis(state)).toEqual(state);
      }
    }
  });

  it('every breaker: clean closed at any generation, closed with failures, open, half-open', () => {
    const breakers: BreakerState[] = [
      { state: 'closed', generation: 0, failures: 0, backoffStep: 0, openedAtMs: null, retryAtMs: null },
      { state: 'closed', generation: 17, failures: 0, backoffStep: 0, openedAtMs: null, retryAtMs: null },
      { state: 'closed', generation: 2, failures: 2, backoffStep: 0, openedAtMs: null, retryAtMs: null },
      openBreaker,
      { ...openBreaker, state: 'half_open', generation: 5 },
      { ...openBreaker, openedAtMs: null },
    ];
    for (const breaker of breakers) {
      const state = polledState({ breaker });
      expect(throughRedis(state)).toEqual(state);
    }
  });

  it('a dead letter with the last error, with another message, without a last error, for both reasons', () => {
    const lastError = { message: parked.lastError, kind: 'transient' as const, category: 'network' as const, atMs: T0 };
    const variants: TargetPollState[] = [
      polledState({ deadLetter: parked, lastError, consecutiveFailures: 5 }),
      polledState({ deadLetter: { ...parked, lastError: 'an older message' }, lastError }),
      polledState({ deadLetter: { ...parked, reason: 'permanent_failure', lastError: '' }, lastError: null }),
      polledState({ deadLetter: { ...parked, lastError: '' }, lastError: { ...lastError, message: '' } }),
    ];
    for (const state of variants) expect(throughRedis(state)).toEqual(state);
    // The shared message is stored once.
    const encoded = JSON.stringify(encodeJobData('pve::a', T0, variants[0]));
    expect(encoded.split('ECONNREFUSED')).toHaveLength(2);
  });

  it('result hashes that are not SHA-1 hex are kept as they are', () => {
    for (const hash of ['h1', '', '=x', 'ABCDEFabcdef0123456789-_xyz', SHA1.toUpperCase(), `${SHA1}0`]) {
      const state = polledState({ lastResultHash: hash });
      expect(throughRedis(state)).toEqual(state);
    }
  });

  it('policy memory: null, integers and nested values exactly; fractions to 10 significant digits', () => {
    expect(throughRedis(polledState({ policyState: null }))).toEqual(polledState({ policyState: null }));
    const custom = { name: 'x', list: [1, 'two', null, { deep: true }], observations: 12, at: T0 };
    expect(throughRedis(polledState({ policyState: custom }))?.policyState).toEqual(custom);

    const learned = {
      smoothedMs: 123_456.789_012_345_67,
      changeWeight: 0.698_805_788_087_797_8,
      windowWeight: 6.513_215_599,
      elapsedWeightMs: 1_234_567.891_234_5,
      tiny: 1.234_567_890_123_4e-7,
      fractionalTime: T0 + 0.25,
    };
    const back = throughRedis(polledState({ policyState: learned }))!.policyState as Record<string, number>;
    for (const [key, value] of Object.entries(learned)) expect(Math.abs(back[key] - value)).toBeLessThanOrEqual(Math.abs(value) * 5e-10);
    expect(back['fractionalTime']).toBe(T0 + 0.25);
  });

  it('a fractional failure count keeps 10 significant digits', () => {
    const back = throughRedis(polledState({ recentFailures: 0.387_420_489_123_456_7 }))!;
    expect(back.recentFailures).toBe(0.3874204891);
  });
});

describe('job state codec: rounding', () => {
  it('rounds fractional times up to the millisecond and the shown interval to the nearest', () => {
    const state = polledState({
      intervalMs: 52_345.6,
      nextRunAtMs: T0 + 52_345.6,
      breaker: { ...openBreaker, retryAtMs: T0 + 20_000.2 },
      deadLetter: { ...parked, retryAtMs: T0 + 1_800_000.01 },
    });
    const back = throughRedis(state)!;
    expect(back.intervalMs).toBe(52_346);
    expect(back.nextRunAtMs).toBe(T0 + 52_346);
    expect(back.breaker.retryAtMs).toBe(T0 + 20_001);
    expect(back.deadLetter!.retryAtMs).toBe(T0 + 1_800_001);
  });

  it('a "not before" time answers every whole-millisecond clock the same after rounding up', () => {
    for (const fraction of [0.000_1, 0.25, 0.5, 0.999]) {
      const retryAtMs = T0 + 1_000 + fraction;
      const back = throughRedis(polledState({ breaker: { ...openBreaker, retryAtMs } }))!;
      for (let now = T0 + 998; now <= T0 + 1_003; now++) expect(now < back.breaker.retryAtMs!).toBe(now < retryAtMs);
    }
  });
});

describe('job state codec: reading', () => {
  it('reads the object form older versions wrote', () => {
    const state = polledState({ breaker: openBreaker, deadLetter: parked, policyState: { smoothedMs: 1.5 } });
    expect(targetStateFromJobData(JSON.parse(JSON.stringify({ key: 'pve::a', dueAtMs: T0, state })))).toEqual(state);
  });

  it('rejects what is not a state: other shapes, wrong format, bad fields, a missing due time', () => {
    const good = encodeTargetState(polledState(), T0);
    const bad: unknown[] = [
      undefined,
      null,
      'text',
      { key: 'pve::a', dueAtMs: T0 },
      { key: 'pve::a', dueAtMs: T0, state: { version: 1 } },
      { key: 'pve::a', state: good },
      { key: 'pve::a', dueAtMs: 'soon', state: good },
    ];
    for (const data of bad) expect(targetStateFromJobData(data)).toBeNull();

    const mutate = (index: number, value: unknown) => {
      const copy: unknown[] = [...good];
      copy[index] = value;
      return copy;
    };
    const badArrays: unknown[][] = [
      [],
      good.slice(0, -1),
      [...good, 0],
      mutate(0, 2),
      mutate(1, 'yesterday'),
      mutate(4, 'not-base64!'),
      mutate(5, ['boom', 'fatal', 'network', 0]),
      mutate(5, ['boom', 'transient', 'network']),
      mutate(6, -1),
      mutate(8, ['shut', 0, 0, 0, null, null]),
      mutate(8, 'closed'),
      mutate(9, ['lost', 0, 0, 0, 0, 0]),
      mutate(10, [1, 2]),
      mutate(11, -5),
      mutate(13, null),
    ];
    for (const encoded of badArrays) expect(decodeTargetState(encoded, T0)).toBeNull();
  });
});

describe('job state codec: size', () => {
  it("keeps a healthy target's job data under a third of the object form", () => {
    const state = polledState();
    const compact = JSON.stringify(encodeJobData('pve::node-00001', T0 + 60_000, state)).length;
    const object = JSON.stringify({ key: 'pve::node-00001', dueAtMs: T0 + 60_000, state }).length;
    expect(compact).toBeLessThanOrEqual(150);
    expect(compact * 3).toBeLessThan(object);
  });
});
