import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { beginPoll, decide } from '../core/decide';
import { PermanentPollError } from '../core/errors';
import { createPolicyRegistry } from '../core/policies/registry';
import { initialTargetState } from '../core/target-state';
import { testPollingOptions } from '../core/testing/fixtures';
import { seededRandom } from '../core/testing/seeded-random';
import type { PollOutcome, TargetPollState } from '../core/types';
import { encodeJobData, targetStateFromJobData } from './job-state-codec';

/**
 * The codec rounds (times up to the millisecond, fractions to 10 significant
 * digits). Two lives of one target on the same whole-millisecond clock and
 * the same random numbers, one keeping its state in memory and one storing it
 * through the codec after every step as the engine does, make the same
 * decisions: same gates, breaker and dead-letter steps, and next runs within
 * a millisecond.
 */

type Answer = 'changed' | 'unchanged' | 'transient' | 'permanent';

const registry = createPolicyRegistry();
const T0 = 1_795_433_600_000;

function outcomeFor(answer: Answer, hashes: number, generation: number, durationMs: number): PollOutcome {
  if (answer === 'changed' || answer === 'unchanged') return { kind: 'success', resultHash: `result-${hashes}`, durationMs, generation };
  const error =
    answer === 'transient'
      ? Object.assign(new Error('connect ECONNRESET'), { code: 'ECONNRESET' })
      : new PermanentPollError('403 Forbidden', { statusCode: 403 });
  return { kind: 'failure', error, durationMs, generation };
}

function stored(state: TargetPollState): TargetPollState {
  const decoded = targetStateFromJobData(JSON.parse(JSON.stringify(encodeJobData('t::a', state.nextRunAtMs ?? T0, state))));
  if (!decoded) throw new Error('the codec lost a state');
  return decoded;
}

describe('job state codec: decisions through Redis match decisions in memory', () => {
  it('for random lives under every policy', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...registry.names()),
        fc.array(
          fc.record({
            answer: fc.constantFrom<Answer>('changed', 'unchanged', 'changed', 'unchanged', 'transient', 'permanent'),
            durationMs: fc.integer({ min: 0, max: 5_000 }),
            earlyByMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 600_000 })),
          }),
          { minLength: 1, maxLength: 80 },
        ),
        fc.integer(),
        (policyName, steps, seed) => {
          const options = testPollingOptions({ policy: policyName });
          const policy = registry.get(policyName);
          const [randomA, randomB] = [seededRandom(seed), seededRandom(seed)];
          let memory = initialTargetState(options, T0);
          let redis = stored(memory);
          let now = T0;
          let hashes = 0;
          for (const step of steps) {
            // A whole-millisecond clock, driven by the in-memory life.
            now = Math.ceil(Math.max(now, (memory.nextRunAtMs ?? now) - step.earlyByMs));
            const [beginA, beginB] = [beginPoll(memory, now), beginPoll(redis, now)];
            expect(beginB.allowed).toBe(beginA.allowed);
            expect(beginB.reason).toBe(beginA.reason);
            memory = beginA.state;
            redis = stored(beginB.state);
            if (!beginA.allowed) continue;
            if (step.answer === 'changed') hashes++;
            const doneAt = now + step.durationMs;
            const a = decide({
              state: memory,
              outcome: outcomeFor(step.answer, hashes, beginA.generation, step.durationMs),
              now: doneAt,
              options,
              policy,
              random: randomA,
            });
            const b = decide({
              state: redis,
              outcome: outcomeFor(step.answer, hashes, beginB.generation, step.durationMs),
              now: doneAt,
              options,
              policy,
              random: randomB,
            });
            expect(b.changed).toBe(a.changed);
            expect(b.events.map((e) => e.type)).toEqual(a.events.map((e) => e.type));
            expect(b.state.breaker.state).toBe(a.state.breaker.state);
            expect(b.state.breaker.generation).toBe(a.state.breaker.generation);
            expect(b.state.deadLetter?.reason).toBe(a.state.deadLetter?.reason);
            expect(b.state.totals).toEqual(a.state.totals);
            expect(Math.abs(b.nextRunAtMs - a.nextRunAtMs)).toBeLessThanOrEqual(1);
            memory = a.state;
            redis = stored(b.state);
            now = doneAt;
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
