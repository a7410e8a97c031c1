import type { Clock } from './types';

/**
 * Limits failed authentication per client address: after `maxFailures`
 * failures within `windowMs` of the first one, the address is refused
 * (HTTP 429) until that window ends, whatever it presents, so guessing the
 * token costs at most `maxFailures` tries per window. Only failures count:
 * any number of correct requests never trips it.
 *
 * Memory is bounded: at most `maxTrackedClients` addresses are kept, expired
 * ones first and then the oldest windows are dropped.
 */
export interface AuthFailureLimit {
  /** Failures allowed per address within one window (default 10). */
  maxFailures: number;
  /** Length of the window, counted from an address's first failure, ms (default 60000). */
  windowMs: number;
  /** Addresses tracked at once (default 10000). */
  maxTrackedClients: number;
}

export const DEFAULT_AUTH_FAILURE_LIMIT: Readonly<AuthFailureLimit> = Object.freeze({
  maxFailures: 10,
  windowMs: 60_000,
  maxTrackedClients: 10_000,
});

interface FailureWindow {
  startedAtMs: number;
  failures: number;
}

export class AuthFailureLimiter {
  // Insertion order is window start order: the first entries are the oldest.
  readonly #windows = new Map<string, FailureWindow>();

  constructor(
    readonly limit: Readonly<AuthFailureLimit> = DEFAULT_AUTH_FAILURE_LIMIT,
    private readonly clock: Clock = Date.now,
  ) {}

  /** Milliseconds until `client` may try again, or 0 when it is not refused. */
  retryAfterMs(client: string): number {
    const window = this.current(client);
    if (window === null || window.failures < this.limit.maxFailures) return 0;
    return Math.max(1, window.startedAtMs + this.limit.windowMs - this.clock());
  }

  /** Counts one failure of `client`; returns how long it is now refused (0 while under the limit). */
  recordFailure(client: string): number {
    const now = this.clock();
    let window = this.current(client);
    if (window === null) {
      this.makeRoom(now);
      window = { startedAtMs: now, failures: 0 };
      this.#windows.set(client, window);
    }
    window.failures += 1;
    return this.retryAfterMs(client);
  }

  /** Addresses with an open window (for tests and diagnostics). */
  get trackedClients(): number {
    return this.#windows.size;
  }

  private current(client: string): FailureWindow | null {
    const window = this.#windows.get(client);
    if (window === undefined) return null;
    if (this.clock() - window.startedAtMs >= this.limit.windowMs) {
      this.#windows.delete(client);
      return null;
    }
    return window;
  }

  private makeRoom(now: number): void {
    if (this.#windows.size < this.limit.maxTrackedClients) return;
    for (const [client, window] of this.#windows) {
      if (now - window.startedAtMs < this.limit.windowMs && this.#windows.size < this.limit.maxTrackedClients) break;
      this.#windows.delete(client);
    }
  }
}
