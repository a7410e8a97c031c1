import type { EpochMs, TargetPollState } from './types';

/**
 * Rules the health API and the metrics both show, written once: a number in
 * /health and the same number on a dashboard must never disagree.
 */

/** A job counts as "due soon" when it is due within this window (the seed's 12 s). */
export const DUE_SOON_WINDOW_MS = 12_000;

/**
 * min(age since the last success / max interval, 1), to 4 decimals; 1 if it
 * never succeeded.
 */
export function stalenessScore(lastSuccessAtMs: EpochMs | null, now: EpochMs, maxIntervalMs: number): number {
  if (lastSuccessAtMs === null) return 1;
  const score = Math.min(1, Math.max(0, now - lastSuccessAtMs) / maxIntervalMs);
  return Math.round(score * 10_000) / 10_000;
}

/** In the queue: a job that will poll (it exists, the target is not paused, not parked). */
export function isQueued(scheduled: boolean, paused: boolean, state: Pick<TargetPollState, 'deadLetter'> | null): boolean {
  return scheduled && !paused && !state?.deadLetter;
}

/** Queued, not running, and due within the window. */
export function isDueSoon(
  queued: boolean,
  running: boolean,
  nextRunAtMs: EpochMs | null,
  now: EpochMs,
  windowMs = DUE_SOON_WINDOW_MS,
): boolean {
  return queued && !running && nextRunAtMs !== null && nextRunAtMs <= now + windowMs;
}

/**
 * The earliest time the gates let the target poll from `now`: its
 * dead-letter retry, and an open breaker's retry time.
 */
export function gateTimeMs(state: Pick<TargetPollState, 'deadLetter' | 'breaker'>, now: EpochMs): EpochMs {
  let next = now;
  if (state.deadLetter) next = Math.max(next, state.deadLetter.retryAtMs);
  if (state.breaker.state === 'open' && state.breaker.retryAtMs !== null) next = Math.max(next, state.breaker.retryAtMs);
  return next;
}

/** A breaker worth listing: not closed, or closed with failures counted. */
export function isBreakerTroubled(breaker: Pick<TargetPollState['breaker'], 'state' | 'failures'>): boolean {
  return breaker.state !== 'closed' || breaker.failures > 0;
}
