import { PollShutdownError, PollTimeoutError } from './poll-handler';

/**
 * The abort side of one poll. Its AbortController is made on first use (a
 * handler reading `signal`, or an abort), so a poll that never looks at its
 * signal and never times out pays for none.
 */
export class PollAbort {
  private controller: AbortController | undefined;

  get signal(): AbortSignal {
    this.controller ??= new AbortController();
    return this.controller.signal;
  }

  abort(reason: Error): void {
    this.controller ??= new AbortController();
    this.controller.abort(reason);
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  );
}

/**
 * Runs a handler whose AbortSignal fires on `timeoutMs` or when `shutdown`
 * fires. The returned promise settles at the abort even if the handler
 * ignores its signal, so a hung poller never blocks the target.
 *
 * A handler that returns (or throws) synchronously has finished before any
 * timer could fire, so the timer and the shutdown listener are set only for
 * a promise. A process already shutting down runs no handler.
 */
export function runWithTimeout<T>(run: (abort: PollAbort) => T | Promise<T>, timeoutMs: number, shutdown: AbortSignal): Promise<T> {
  const abort = new PollAbort();
  if (shutdown.aborted) {
    const error = new PollShutdownError();
    abort.abort(error);
    return Promise.reject(error);
  }
  let result: T | Promise<T>;
  try {
    result = run(abort);
  } catch (error) {
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- whatever the poller threw, classified later
    return Promise.reject(error);
  }
  if (!isThenable(result)) return Promise.resolve(result);
  const pending = result;
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      shutdown.removeEventListener('abort', onShutdown);
      return true;
    };
    const fail = (error: Error) => {
      if (!settle()) return;
      abort.abort(error);
      reject(error);
    };
    const onShutdown = () => fail(new PollShutdownError());
    const timer = setTimeout(() => fail(new PollTimeoutError(timeoutMs)), timeoutMs);
    shutdown.addEventListener('abort', onShutdown, { once: true });
    pending.then(
      (value) => {
        if (settle()) resolve(value);
      },
      (error: unknown) => {
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the poller's own rejection, classified later
        if (settle()) reject(error);
      },
    );
  });
}
