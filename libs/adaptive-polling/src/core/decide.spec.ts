import { describe, expect, it } from 'vitest';
import { beginPoll, decide } from './decide';
import { PermanentPollError, TransientPollError } from './errors';
import { pulsePolicy } from './policies/pulse';
import { changeAwarePolicy } from './policies/change-aware';
import { initialTargetState } from './target-state';
import { drivePolls } from './testing/decide-driver';
import { testPollingOptions } from './testing/fixtures';
import { constantRandom } from './testing/seeded-random';
import type { DecisionInput, IntervalPolicy, PolicyInput, PollOutcome, TargetPollState, TypePollingOptions } from './types';

const MINUTE_MS = 60_000;
const NOW = 10_000_000;
const options = testPollingOptions({ policy: 'pulse' });
/** random 0.5 means no jitter anywhere: U(-j, +j) = j * (2 * 0.5 - 1) = 0. */
const noJitter = constantRandom(0.5);

const refused = () => Object.assign(new Error('connect ECONNREFUSED 10.0.0.7:8006'), { code: 'ECONNREFUSED' });
const unauthorized = () => new PermanentPollError('401 Unauthorized', { statusCode: 401 });
const rateLimited = (retryAfterSeconds: number) =>
  Object.assign(new Error('429 Too Many Requests'), { statusCode: 429, headers: { 'retry-after': String(retryAfterSeconds) } });

const success = (resultHash: string, generation = 0, durationMs = 0): PollOutcome => ({
  kind: 'success',
  resultHash,
  durationMs,
  generation,
});
const failure = (error: unknown, generation = 0, durationMs = 0): PollOutcome => ({ kind: 'failure', error, durationMs, generation });

/** A policy that records what it was given and answers like pulse. */
function spyPolicy(): IntervalPolicy & { inputs: PolicyInput[] } {
  const inputs: PolicyInput[] = [];
  return {
    name: 'spy',
    inputs,
    nextInterval(previous, input) {
      inputs.push(input);
      return pulsePolicy.nextInterval(previous, input);
    },
  };
}

function decideWith(state: TargetPollState, outcome: PollOutcome, overrides: Partial<DecisionInput> = {}) {
  return decide({ state, outcome, now: NOW, options, policy: pulsePolicy, random: noJitter, ...overrides });
}

/** Runs `beginPoll` then `decide`, as the engine does; the poll takes no time. */
function poll(state: TargetPollState, now: number, answer: (generation: number) => PollOutcome, typeOptions: TypePollingOptions = options) {
  const begin = beginPoll(state, now);
  expect(begin.allowed).toBe(true);
  const decision = decide({
    state: begin.state,
    outcome: answer(begin.generation),
    now,
    options: typeOptions,
    policy: pulsePolicy,
    random: noJitter,
  });
  return { begin, decision };
}

const fresh = () => initialTargetState(options, NOW);

describe('decide: successes', () => {
  it('a first success: result remembered, change unknown, next run after the policy interval', () => {
    const d = decideWith(fresh(), success('h1'));
    expect(d.changed).toBeNull();
    expect(d.failure).toBeNull();
    expect(d.events).toEqual([]);
    // Never succeeded before: staleness 1, pulse gives 0.6 * min + 0.4 * base = 7 s.
    expect(d.delayMs).toBeCloseTo(7000, 6);
    expect(d.nextRunAtMs).toBe(NOW + d.delayMs);
    expect(d.state).toMatchObject({
      lastPollAtMs: NOW,
      lastSuccessAtMs: NOW,
      lastChangeAtMs: null,
      lastResultHash: 'h1',
      consecutiveFailures: 0,
      intervalMs: d.delayMs,
      nextRunAtMs: d.nextRunAtMs,
      totals: { polls: 1, failures: 0, changes: 0 },
    });
  });

  it.each([
    { name: 'changed', hash: 'h2', changed: true, lastChangeAtMs: NOW, changes: 1 },
    { name: 'unchanged', hash: 'h1', changed: false, lastChangeAtMs: 123, changes: 0 },
  ])('a later success, $name', ({ hash, changed, lastChangeAtMs, changes }) => {
    const state = {
      ...fresh(),
      lastResultHash: 'h1',
      lastSuccessAtMs: NOW - 10_000,
      lastChangeAtMs: 123,
      totals: { polls: 4, failures: 0, changes: 0 },
    };
    const d = decideWith(state, success(hash));
    expect(d.changed).toBe(changed);
    expect(d.state.lastChangeAtMs).toBe(lastChangeAtMs);
    expect(d.state.lastResultHash).toBe(hash);
    expect(d.state.totals).toEqual({ polls: 5, failures: 0, changes });
  });

  it('feeds the policy the staleness at the START of the poll, the change and the window', () => {
    const spy = spyPolicy();
    const state = { ...fresh(), lastResultHash: 'h1', lastSuccessAtMs: NOW - 60_000 };
    decideWith(state, success('h2', 0, 15_000), { policy: spy, backlog: 3 });
    expect(spy.inputs[0]).toMatchObject({
      now: NOW,
      staleness: 45_000 / options.intervals.maxMs,
      sinceLastSuccessMs: 45_000,
      changed: true,
      backlog: 3,
      jitter: options.intervalJitter,
      intervals: options.intervals,
    });
    decideWith(fresh(), success('h1'), { policy: spy });
    expect(spy.inputs[1]).toMatchObject({ staleness: 1, sinceLastSuccessMs: null, changed: null, backlog: 1 });
  });

  it.each([
    { before: 3, seen: 3, after: 1.5 },
    { before: 1, seen: 1, after: 0.5 },
    { before: 0.8, seen: 0.8, after: 0 },
    { before: 0, seen: 0, after: 0 },
  ])('recent failures $before: the policy sees $seen, then they decay to $after', ({ before, seen, after }) => {
    const spy = spyPolicy();
    const d = decideWith({ ...fresh(), recentFailures: before }, success('h'), { policy: spy });
    expect(spy.inputs[0]?.recentFailures).toBe(seen);
    expect(d.state.recentFailures).toBe(after);
  });

  it('keeps the policy state between polls (pulse: three calls give 7 s, then the EMA moves on)', () => {
    const bounds = { minMs: 5000, maxMs: 60_000, baseMs: 10_000 };
    const typeOptions = testPollingOptions({ intervals: bounds, intervalJitter: 0 });
    const first = decide({
      state: initialTargetState(typeOptions, 0),
      outcome: success('a'),
      now: 0,
      options: typeOptions,
      policy: pulsePolicy,
      random: noJitter,
    });
    expect(first.delayMs).toBeCloseTo(7000, 6);
    expect(first.state.policyState).toEqual({ smoothedMs: first.delayMs });
    // Polled again 0 ms after the previous success: staleness 0, target max: 0.6 * 60 + 0.4 * 7 = 38.8 s.
    const second = decide({
      state: first.state,
      outcome: success('a'),
      now: 0,
      options: typeOptions,
      policy: pulsePolicy,
      random: noJitter,
    });
    expect(second.delayMs).toBeCloseTo(38_800, 6);
  });

  it('adaptive polling disabled: the base interval, the policy is not asked, its state kept', () => {
    const spy = spyPolicy();
    const disabled = testPollingOptions({ enabled: false });
    const state = { ...fresh(), policyState: { smoothedMs: 99_000 }, lastSuccessAtMs: NOW - 1000, lastResultHash: 'h' };
    const d = decideWith(state, success('h2'), { options: disabled, policy: spy });
    expect(d.delayMs).toBe(disabled.intervals.baseMs);
    expect(spy.inputs).toHaveLength(0);
    expect(d.state.policyState).toEqual({ smoothedMs: 99_000 });
    // With jitter it stays within +-5 % of base.
    const jittered = decideWith(state, success('h2'), { options: disabled, policy: spy, random: constantRandom(0) });
    expect(jittered.delayMs).toBeCloseTo(disabled.intervals.baseMs * 0.95, 6);
  });

  it('a target fixed interval bypasses the policy and the bounds, exactly', () => {
    const spy = spyPolicy();
    const d = decideWith(fresh(), success('h'), { policy: spy, fixedIntervalMs: 10 * MINUTE_MS, random: constantRandom(0.9) });
    expect(d.delayMs).toBe(10 * MINUTE_MS);
    expect(d.state.intervalMs).toBe(10 * MINUTE_MS);
    expect(spy.inputs).toHaveLength(0);
    // Failures still back off.
    const f = decideWith(fresh(), failure(refused()), { policy: spy, fixedIntervalMs: 10 * MINUTE_MS });
    expect(f.delayMs).toBe(5000);
  });

  it('clamps a custom policy that answers outside [min, max] or not a number', () => {
    const wild = (intervalMs: number): IntervalPolicy => ({ name: 'wild', nextInterval: () => ({ intervalMs, state: null }) });
    expect(decideWith(fresh(), success('h'), { policy: wild(1) }).delayMs).toBe(options.intervals.minMs);
    expect(decideWith(fresh(), success('h'), { policy: wild(1e12) }).delayMs).toBe(options.intervals.maxMs);
    expect(decideWith(fresh(), success('h'), { policy: wild(Number.NaN) }).delayMs).toBe(options.intervals.baseMs);
  });
});

describe('decide: failures, breaker and backoff', () => {
  it('three transient failures: 5 s, 10 s, then the breaker opens for 20 s', () => {
    let state = fresh();
    const delays: number[] = [];
    const events = [];
    let now = NOW;
    for (let i = 0; i < 3; i++) {
      const { decision } = poll(state, now, (g) => failure(refused(), g));
      delays.push(decision.delayMs);
      events.push(...decision.events);
      state = decision.state;
      now = decision.nextRunAtMs;
    }
    expect(delays).toEqual([5000, 10_000, 20_000]);
    expect(events).toEqual([{ type: 'breaker_transition', from: 'closed', to: 'open', generation: 1, atMs: NOW + 15_000 }]);
    expect(state.breaker).toMatchObject({ state: 'open', failures: 3, generation: 1, retryAtMs: NOW + 35_000 });
    expect(state).toMatchObject({ consecutiveFailures: 3, recentFailures: 3, totals: { polls: 3, failures: 3, changes: 0 } });
    expect(state.lastError).toEqual({
      message: 'connect ECONNREFUSED 10.0.0.7:8006',
      kind: 'transient',
      category: 'network',
      atMs: NOW + 15_000,
    });
  });

  const openState = (): TargetPollState => ({
    ...fresh(),
    consecutiveFailures: 3,
    recentFailures: 3,
    lastResultHash: 'h',
    lastSuccessAtMs: NOW - 60_000,
    breaker: { state: 'open', generation: 1, failures: 3, backoffStep: 3, openedAtMs: NOW - 20_000, retryAtMs: NOW },
  });

  it('an open breaker is not polled before its window ends', () => {
    const begin = beginPoll(openState(), NOW - 1);
    expect(begin).toMatchObject({ allowed: false, reason: 'breaker_open', events: [], generation: 1 });
    expect(begin.state.nextRunAtMs).toBe(NOW);
  });

  it('half-open probe success closes the breaker and resets the series', () => {
    const { begin, decision } = poll(openState(), NOW, (g) => success('h2', g));
    expect(begin.events).toEqual([{ type: 'breaker_transition', from: 'open', to: 'half_open', generation: 2, atMs: NOW }]);
    expect(begin.generation).toBe(2);
    expect(decision.events).toEqual([{ type: 'breaker_transition', from: 'half_open', to: 'closed', generation: 3, atMs: NOW }]);
    expect(decision.state.breaker).toEqual({
      state: 'closed',
      generation: 3,
      failures: 0,
      backoffStep: 0,
      openedAtMs: null,
      retryAtMs: null,
    });
    expect(decision.state.consecutiveFailures).toBe(0);
    // Recovering: the error penalty (n = 3) shortens the interval, then decays.
    expect(decision.state.recentFailures).toBe(1.5);
  });

  it('half-open probe failure reopens the breaker with a longer window', () => {
    const { decision } = poll(openState(), NOW, (g) => failure(new TransientPollError('502 Bad Gateway', { statusCode: 502 }), g));
    expect(decision.events).toEqual([{ type: 'breaker_transition', from: 'half_open', to: 'open', generation: 3, atMs: NOW }]);
    expect(decision.state.breaker).toMatchObject({ state: 'open', failures: 4, backoffStep: 4, retryAtMs: NOW + 40_000 });
    expect(decision.nextRunAtMs).toBe(NOW + 40_000);
    expect(decision.failure).toMatchObject({ kind: 'transient', category: 'server_error', statusCode: 502 });
  });

  it.each([
    { name: 'a success', outcome: success('new-hash', 1) },
    { name: 'a failure', outcome: failure(unauthorized(), 1) },
  ])('$name from an older breaker generation changes nothing', ({ outcome }) => {
    const state = { ...openState(), breaker: { ...openState().breaker, generation: 2 }, nextRunAtMs: NOW + 5000 };
    const d = decideWith(state, outcome);
    expect(d.state).toEqual(state);
    expect(d.nextRunAtMs).toBe(NOW + 5000);
    expect(d.changed).toBeNull();
    expect(d.events).toEqual([{ type: 'stale_result_ignored', resultGeneration: 1, currentGeneration: 2, atMs: NOW }]);
    // Next run missing or past: one base interval from now.
    const past = decideWith({ ...state, nextRunAtMs: NOW - 1 }, outcome);
    expect(past.nextRunAtMs).toBe(NOW + options.intervals.baseMs);
    expect(past.state).toEqual({ ...state, nextRunAtMs: NOW + options.intervals.baseMs });
  });

  it.each([
    { retryAfterSeconds: 120, delayMs: 120_000 },
    { retryAfterSeconds: 1, delayMs: 5000 }, // at least min
    { retryAfterSeconds: 5 * 3600, delayMs: 3_600_000 }, // at most an hour
  ])('429 with Retry-After $retryAfterSeconds s: waits $delayMs ms, not counted against the target', ({ retryAfterSeconds, delayMs }) => {
    const state = { ...fresh(), consecutiveFailures: 2, recentFailures: 2, breaker: { ...fresh().breaker, failures: 2 } };
    const d = decideWith(state, failure(rateLimited(retryAfterSeconds)));
    expect(d.delayMs).toBe(delayMs);
    expect(d.events).toEqual([]);
    expect(d.failure).toMatchObject({ kind: 'transient', category: 'rate_limited', retryAfterMs: retryAfterSeconds * 1000 });
    expect(d.state).toMatchObject({ consecutiveFailures: 2, recentFailures: 2, breaker: state.breaker, deadLetter: null });
    expect(d.state.lastError).toMatchObject({ category: 'rate_limited', atMs: NOW });
    expect(d.state.totals).toEqual({ polls: 1, failures: 1, changes: 0 });
  });

  it('a 429 on the dead-letter retry attempt defers the attempt', () => {
    const deadLetter = {
      reason: 'max_retry_attempts' as const,
      enteredAtMs: 0,
      retryAtMs: NOW,
      failures: 5,
      lastError: 'x',
      parkedCount: 1,
    };
    const d = decideWith({ ...fresh(), consecutiveFailures: 5, deadLetter }, failure(rateLimited(60)));
    expect(d.state.deadLetter).toEqual({ ...deadLetter, retryAtMs: NOW + 60_000 });
    expect(d.events).toEqual([]);
  });
});

describe('decide: dead-letter queue', () => {
  it('a permanent failure parks at once, for 30 min', () => {
    const d = decideWith(fresh(), failure(unauthorized()));
    expect(d.delayMs).toBe(30 * MINUTE_MS);
    expect(d.state.deadLetter).toEqual({
      reason: 'permanent_failure',
      enteredAtMs: NOW,
      retryAtMs: NOW + 30 * MINUTE_MS,
      failures: 1,
      lastError: '401 Unauthorized',
      parkedCount: 1,
    });
    expect(d.events).toEqual([
      { type: 'dead_letter_in', reason: 'permanent_failure', retryAtMs: NOW + 30 * MINUTE_MS, lastError: '401 Unauthorized', atMs: NOW },
    ]);
    expect(beginPoll(d.state, NOW + 30 * MINUTE_MS - 1)).toMatchObject({ allowed: false, reason: 'dead_letter' });
  });

  it('five transient failures in a row park the target (max_retry_attempts)', () => {
    let state = fresh();
    let now = NOW;
    const kinds: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { begin, decision } = poll(state, now, (g) => failure(refused(), g));
      kinds.push(...begin.events.map((e) => `${e.type}`), ...decision.events.map((e) => `${e.type}`));
      state = decision.state;
      now = decision.nextRunAtMs;
    }
    expect(kinds).toEqual([
      'breaker_transition', // 3rd: closed -> open
      'breaker_transition', // 4th begins: open -> half_open
      'breaker_transition', // 4th: half_open -> open
      'breaker_transition', // 5th begins: open -> half_open
      'breaker_transition', // 5th: half_open -> open
      'dead_letter_in',
    ]);
    expect(state.deadLetter).toMatchObject({ reason: 'max_retry_attempts', failures: 5, parkedCount: 1 });
    expect(state.nextRunAtMs).toBe(state.deadLetter!.retryAtMs);
    expect(state.deadLetter!.retryAtMs).toBe(state.lastPollAtMs! + 30 * MINUTE_MS);
  });

  const parked = (): TargetPollState => ({
    ...fresh(),
    lastResultHash: 'h',
    lastSuccessAtMs: NOW - 40 * MINUTE_MS,
    consecutiveFailures: 5,
    recentFailures: 5,
    breaker: {
      state: 'open',
      generation: 3,
      failures: 5,
      backoffStep: 5,
      openedAtMs: NOW - 31 * MINUTE_MS,
      retryAtMs: NOW - 30 * MINUTE_MS,
    },
    deadLetter: {
      reason: 'max_retry_attempts',
      enteredAtMs: NOW - 30 * MINUTE_MS,
      retryAtMs: NOW,
      failures: 5,
      lastError: 'x',
      parkedCount: 1,
    },
    nextRunAtMs: NOW,
  });

  it('the dead-letter retry attempt that succeeds takes the target out', () => {
    const { decision } = poll(parked(), NOW, (g) => success('h2', g));
    expect(decision.state.deadLetter).toBeNull();
    expect(decision.state.breaker.state).toBe('closed');
    expect(decision.events).toContainEqual({ type: 'dead_letter_out', reason: 'recovered', atMs: NOW });
    expect(decision.state.consecutiveFailures).toBe(0);
    expect(decision.delayMs).toBeGreaterThanOrEqual(options.intervals.minMs);
    expect(decision.delayMs).toBeLessThanOrEqual(options.intervals.maxMs);
  });

  it('the dead-letter retry attempt that fails parks it again for 30 min', () => {
    const { decision } = poll(parked(), NOW, (g) => failure(refused(), g));
    expect(decision.state.deadLetter).toEqual({
      reason: 'max_retry_attempts',
      enteredAtMs: NOW - 30 * MINUTE_MS,
      retryAtMs: NOW + 30 * MINUTE_MS,
      failures: 6,
      lastError: 'connect ECONNREFUSED 10.0.0.7:8006',
      parkedCount: 2,
    });
    expect(decision.nextRunAtMs).toBe(NOW + 30 * MINUTE_MS);
    expect(decision.events.map((e) => e.type)).toContain('dead_letter_in');
  });

  it('beginPoll on a parked target: before its retry time not allowed; the later gate wins', () => {
    const state = parked();
    expect(beginPoll(state, NOW - 1)).toMatchObject({ allowed: false, reason: 'dead_letter', state: { nextRunAtMs: NOW } });
    const bothClosed = { ...state, breaker: { ...state.breaker, retryAtMs: NOW + 1000 } };
    expect(beginPoll(bothClosed, NOW - 1).state.nextRunAtMs).toBe(NOW + 1000);
    expect(beginPoll(bothClosed, NOW)).toMatchObject({ allowed: false, reason: 'breaker_open' });
  });
});

describe('decide: whole lives in virtual time (min 5 s, max 10 s: short-mode backoff)', () => {
  const tight = testPollingOptions({ intervals: { minMs: 5000, maxMs: 10_000, baseMs: 10_000 } });

  it('a target that refuses connections is polled exactly 5 times, then once per 30 min', () => {
    const { polls } = drivePolls({
      typeOptions: tight,
      policy: changeAwarePolicy,
      random: noJitter,
      startMs: 0,
      untilMs: 2 * 60 * MINUTE_MS,
      answer: () => ({ kind: 'failure', error: refused() }),
      durationMs: 50,
    });
    const times = polls.map((p) => p.atMs);
    // 0, +0.75 s, +1.5 s, breaker open 3 s, reopened 6 s (plus 50 ms per poll), then parked.
    expect(times.slice(0, 5)).toEqual([0, 800, 2350, 5400, 11_450]);
    const parkedAtMs = times[4] + 50;
    expect(polls.filter((p) => p.atMs < parkedAtMs + 30 * MINUTE_MS)).toHaveLength(5);
    expect(times.slice(5)).toEqual([1, 2, 3].map((k) => parkedAtMs + k * 30 * MINUTE_MS + (k - 1) * 50));
    expect(polls[4].decision.events).toContainEqual(expect.objectContaining({ type: 'dead_letter_in', reason: 'max_retry_attempts' }));
  });

  it('an unauthorized (401) target is polled exactly once per 30 min', () => {
    const { polls, state } = drivePolls({
      typeOptions: tight,
      policy: changeAwarePolicy,
      random: noJitter,
      startMs: 0,
      untilMs: 3 * 60 * MINUTE_MS,
      answer: () => ({ kind: 'failure', error: Object.assign(new Error('401 Unauthorized'), { statusCode: 401 }) }),
    });
    expect(polls.map((p) => p.atMs)).toEqual([0, 1, 2, 3, 4, 5].map((k) => k * 30 * MINUTE_MS));
    expect(state.deadLetter).toMatchObject({ reason: 'permanent_failure', parkedCount: 6 });
  });

  it('a target that comes back after an outage leaves the DLQ on its next retry and polls normally', () => {
    const downUntilMs = 45 * MINUTE_MS;
    const { polls, state } = drivePolls({
      typeOptions: tight,
      policy: changeAwarePolicy,
      random: noJitter,
      startMs: 0,
      untilMs: 70 * MINUTE_MS,
      answer: (i, atMs) => (atMs < downUntilMs ? { kind: 'failure', error: refused() } : { kind: 'success', resultHash: `v${i}` }),
    });
    const recovered = polls.find((p) => p.decision.events.some((e) => e.type === 'dead_letter_out'));
    expect(recovered?.atMs).toBeGreaterThanOrEqual(downUntilMs);
    expect(recovered!.atMs).toBeLessThanOrEqual(downUntilMs + 30 * MINUTE_MS);
    expect(state.deadLetter).toBeNull();
    expect(state.breaker.state).toBe('closed');
    const after = polls.filter((p) => p.atMs > recovered!.atMs);
    for (const p of after) {
      expect(p.decision.delayMs).toBeGreaterThanOrEqual(tight.intervals.minMs);
      expect(p.decision.delayMs).toBeLessThanOrEqual(tight.intervals.maxMs);
    }
  });
});
