import type { BreakerStateName } from '../core/types';

/** What a poller sees of its target. */
export interface PollTarget {
  /** `type::name` */
  key: string;
  name: string;
  type: string;
  displayName: string;
  /** Connection details (may hold secrets: the poller's to use, nobody's to log). */
  connection: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

export interface PollContext {
  target: PollTarget;
  /** Fires on the poll timeout or on shutdown; pass it to fetch/HTTP clients. */
  signal: AbortSignal;
  /** 1 for a normal poll, n+1 after n consecutive failures. */
  attempt: number;
  /** Hash of the previous successful result, null before the first. */
  previousResultHash: string | null;
  breakerState: BreakerStateName;
}

/** A poller: returns the result (its stable hash is the change signal) or throws. */
export type PollHandler = (context: PollContext) => unknown;

/** Why a poll was aborted: the per-poll timeout, or this process shutting down. */
export class PollTimeoutError extends Error {
  override readonly name = 'TimeoutError';
  constructor(readonly timeoutMs: number) {
    super(`poll timed out after ${timeoutMs} ms`);
  }
}

export class PollShutdownError extends Error {
  override readonly name = 'AbortError';
  constructor() {
    super('poll aborted: this process is shutting down');
  }
}
