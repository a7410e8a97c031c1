import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { beginPoll, decide, type BeginPollResult } from './decide';
import { PermanentPollError, TransientPollError } from './errors';
import { createPolicyRegistry } from './policies/registry';
import { initialTargetState } from './target-state';
import { testPollingOptions } from './testing/fixtures';
import { seededRandom } from './testing/seeded-random';
import type {
  Decision,
  EpochMs,
  IntervalBounds,
  IntervalPolicy,
  PollOutcome,
  RandomSource,
  TargetPollState,
  TypePollingOptions,
} from './types';

/**
 * Random lives of one target: random outcomes, random poll durations, a
 * driver that sometimes tries to run early (to probe the gates) and sometimes
 * delivers a result from an older breaker generation. The invariants hold at
 * every step, for every policy.
 */

type Answer =
  | { kind: 'success'; changed: boolean }
  | { kind: 'transient' }
  | { kind: 'permanent' }
  | { kind: 'rate_limited'; retryAfterSeconds: number };

interface Step {
  answer: Answer;
  durationMs: number;
  /** Try to start this long before the scheduled time (0: on time). */
  earlyByMs: number;
  /** Deliver the result under the previous breaker generation (rare, as in life). */
  stale: boolean;
}

const answerArbitrary: fc.Arbitrary<Answer> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('success' as const), changed: fc.boolean() }) },
  { weight: 4, arbitrary: fc.constant({ kind: 'transient' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'permanent' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('rate_limited' as const), retryAfterSeconds: fc.integer({ min: 0, max: 7200 }) }),
  },
);

const stepArbitrary: fc.Arbitrary<Step> = fc.record({
  answer: answerArbitrary,
  durationMs: fc.integer({ min: 0, max: 130_000 }),
  earlyByMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 40 * 60_000 })),
  stale: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
});

const boundsArbitrary: fc.Arbitrary<IntervalBounds> = fc
  .record({
    minMs: fc.integer({ min: 500, max: 30_000 }),
    spread: fc.integer({ min: 1, max: 100 }),
    basePosition: fc.double({ min: 0, max: 1, noNaN: true }),
  })
  .map(({ minMs, spread, basePosition }) => {
    const maxMs = minMs * spread;
    return { minMs, maxMs, baseMs: Math.round(minMs + (maxMs - minMs) * basePosition) };
  });

function errorFor(answer: Answer): unknown {
  switch (answer.kind) {
    case 'transient':
      return Object.assign(new Error('connect ECONNRESET'), { code: 'ECONNRESET' });
    case 'permanent':
      return new PermanentPollError('403 Forbidden', { statusCode: 403 });
    case 'rate_limited':
      return new TransientPollError('429', { statusCode: 429, retryAfterMs: answer.retryAfterSeconds * 1000 });
    case 'success':
      return undefined;
  }
}

const registry = createPolicyRegistry();

interface Life {
  options: TypePollingOptions;
  intervals: IntervalBounds;
  steps: Step[];
  records: LifeRecord[];
}

/** One attempt to poll: what beginPoll said and, if it ran, what decide said. */
interface LifeRecord {
  step: Step;
  now: EpochMs;
  before: TargetPollState;
  begin: BeginPollResult;
  outcome?: PollOutcome;
  decidedAtMs?: EpochMs;
  decision?: Decision;
}

const lifeArbitrary: fc.Arbitrary<Life> = fc
  .record({
    policyName: fc.constantFrom(...registry.names()),
    intervals: boundsArbitrary,
    enabled: fc.boolean(),
    steps: fc.array(stepArbitrary, { minLength: 1, maxLength: 120 }),
    seed: fc.integer(),
  })
  .map(({ policyName, intervals, enabled, steps, seed }) => {
    const options = testPollingOptions({ intervals, enabled, policy: policyName });
    return { options, intervals, steps, records: live(options, registry.get(policyName), steps, seededRandom(seed)) };
  });

/** Drives one target through the steps, as the engine would (plus early and stale deliveries). */
function live(options: TypePollingOptions, policy: IntervalPolicy, steps: Step[], random: RandomSource): LifeRecord[] {
  const records: LifeRecord[] = [];
  let state = initialTargetState(options, 0);
  let now = 0;
  let hashCounter = 0;
  for (const step of steps) {
    now = Math.max(now, (state.nextRunAtMs ?? now) - step.earlyByMs);
    const before = state;
    const begin = beginPoll(before, now);
    state = begin.state;
    if (!begin.allowed) {
      records.push({ step, now, before, begin });
      continue;
    }
    const generation = step.stale && begin.generation > 0 ? begin.generation - 1 : begin.generation;
    const outcome: PollOutcome =
      step.answer.kind === 'success'
        ? {
            kind: 'success',
            resultHash: `h${step.answer.changed ? ++hashCounter : hashCounter}`,
            durationMs: step.durationMs,
            generation,
          }
        : { kind: 'failure', error: errorFor(step.answer), durationMs: step.durationMs, generation };
    const decidedAtMs = now + step.durationMs;
    const decision = decide({ state, outcome, now: decidedAtMs, options, policy, random });
    records.push({ step, now, before, begin, outcome, decidedAtMs, decision });
    state = decision.state;
    now = decidedAtMs;
  }
  return records;
}

const isStale = (r: LifeRecord): boolean => r.outcome !== undefined && r.outcome.generation < r.begin.state.breaker.generation;
const decided = (records: LifeRecord[]) =>
  records.filter((r): r is LifeRecord & Required<Pick<LifeRecord, 'outcome' | 'decision' | 'decidedAtMs'>> => r.decision !== undefined);

describe('decide and beginPoll: invariants over random lives (every policy, any bounds, adaptive on or off)', () => {
  it('the interval chosen after a success always lies in [min, max]', () => {
    fc.assert(
      fc.property(lifeArbitrary, ({ records, intervals }) => {
        for (const r of decided(records)) {
          if (r.outcome.kind !== 'success' || isStale(r)) continue;
          expect(r.decision.delayMs).toBeGreaterThanOrEqual(intervals.minMs);
          expect(r.decision.delayMs).toBeLessThanOrEqual(intervals.maxMs);
          expect(r.decision.state.intervalMs).toBe(r.decision.delayMs);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('an open breaker is never polled before its window ends', () => {
    fc.assert(
      fc.property(lifeArbitrary, ({ records }) => {
        for (const r of records) {
          const { breaker } = r.before;
          const inWindow = breaker.state === 'open' && breaker.retryAtMs !== null && r.now < breaker.retryAtMs;
          if (inWindow) {
            expect(r.begin.allowed).toBe(false);
            expect(r.begin.state.nextRunAtMs).toBeGreaterThanOrEqual(breaker.retryAtMs!);
          }
          if (r.begin.allowed) expect(r.begin.state.breaker.state).not.toBe('open');
          // After a failure that leaves it open, the next run is not before the window end.
          if (r.decision && r.decision.state.breaker.state === 'open') {
            expect(r.decision.nextRunAtMs).toBeGreaterThanOrEqual(r.decision.state.breaker.retryAtMs!);
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('a dead-lettered target is never polled before its retry time', () => {
    fc.assert(
      fc.property(lifeArbitrary, ({ records }) => {
        for (const r of records) {
          const parked = r.before.deadLetter;
          if (parked !== null && r.now < parked.retryAtMs) {
            expect(r.begin.allowed).toBe(false);
            expect(r.begin.reason).toBe('dead_letter');
            expect(r.begin.state.nextRunAtMs).toBeGreaterThanOrEqual(parked.retryAtMs);
          }
          if (r.decision && r.decision.state.deadLetter !== null) {
            expect(r.decision.nextRunAtMs).toBeGreaterThanOrEqual(r.decision.state.deadLetter.retryAtMs);
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('a result from an older breaker generation flips nothing; generations never go back', () => {
    fc.assert(
      fc.property(lifeArbitrary, ({ records }) => {
        let generation = 0;
        for (const r of records) {
          if (r.decision && isStale(r)) {
            expect({ ...r.decision.state, nextRunAtMs: null }).toEqual({ ...r.begin.state, nextRunAtMs: null });
            expect(r.decision.events.map((e) => e.type)).toEqual(['stale_result_ignored']);
          }
          const after = (r.decision ?? r.begin).state.breaker.generation;
          expect(after).toBeGreaterThanOrEqual(generation);
          generation = after;
        }
      }),
      { numRuns: 150 },
    );
  });

  it('failures: every next run is at/after now; the limits park; a Retry-After counts nothing against the target', () => {
    fc.assert(
      fc.property(lifeArbitrary, ({ records, options }) => {
        for (const r of decided(records)) {
          const { decision, decidedAtMs } = r;
          expect(decision.delayMs).toBeGreaterThanOrEqual(0);
          expect(decision.nextRunAtMs).toBeGreaterThanOrEqual(decidedAtMs);
          expect(decision.nextRunAtMs).toBeCloseTo(decidedAtMs + decision.delayMs, 3);
          expect(decision.state.nextRunAtMs).toBe(decision.nextRunAtMs);
          if (r.outcome.kind !== 'failure' || isStale(r)) continue;
          const after = decision.state;
          if (after.consecutiveFailures >= options.deadLetter.maxTransientFailures) expect(after.deadLetter).not.toBeNull();
          if (r.step.answer.kind === 'permanent') expect(after.deadLetter?.reason).toBe('permanent_failure');
          if (r.step.answer.kind === 'rate_limited') {
            expect(after.consecutiveFailures).toBe(r.begin.state.consecutiveFailures);
            expect(after.recentFailures).toBe(r.begin.state.recentFailures);
            expect(after.breaker).toEqual(r.begin.state.breaker);
            expect(decision.events).toEqual([]);
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});
