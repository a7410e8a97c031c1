import { beginPoll, decide } from '../decide';
import { initialTargetState } from '../target-state';
import type { Decision, EpochMs, IntervalPolicy, RandomSource, TargetPollState, TypePollingOptions } from '../types';

/** What one poll of a simulated target answers. */
export type SimulatedAnswer = { kind: 'success'; resultHash: string } | { kind: 'failure'; error: unknown };

export interface PollRecord {
  atMs: EpochMs;
  decision: Decision;
}

/**
 * Drives one target in virtual time the way the engine does: run at
 * `nextRunAtMs`, ask `beginPoll`, poll (taking `durationMs`), ask `decide`.
 * Returns every poll that ran until `untilMs`.
 */
export function drivePolls(options: {
  typeOptions: TypePollingOptions;
  policy: IntervalPolicy;
  random: RandomSource;
  startMs: EpochMs;
  untilMs: EpochMs;
  answer: (pollIndex: number, atMs: EpochMs) => SimulatedAnswer;
  durationMs?: number;
}): { polls: PollRecord[]; state: TargetPollState } {
  const durationMs = options.durationMs ?? 0;
  let state = initialTargetState(options.typeOptions, options.startMs);
  const polls: PollRecord[] = [];
  let now = options.startMs;
  for (let guard = 0; guard < 1_000_000; guard++) {
    now = Math.max(now, state.nextRunAtMs ?? now);
    if (now >= options.untilMs) break;
    const begin = beginPoll(state, now);
    state = begin.state;
    if (!begin.allowed) continue;
    const answer = options.answer(polls.length, now);
    const finishedAtMs = now + durationMs;
    const decision = decide({
      state,
      outcome: { ...answer, durationMs, generation: begin.generation },
      now: finishedAtMs,
      options: options.typeOptions,
      policy: options.policy,
      random: options.random,
    });
    polls.push({ atMs: now, decision });
    state = decision.state;
    now = finishedAtMs;
  }
  return { polls, state };
}
