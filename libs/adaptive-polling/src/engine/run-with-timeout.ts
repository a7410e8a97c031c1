import { PollShutdownError, PollTimeoutError } from './poll-handler';

/**
 * Runs a handler with an AbortSignal that fires on `timeoutMs` or when
 * `shutdown` fires. The returned promise settles at the abort even if the
 * handler ignores its signal, so a hung poller never blocks the target.
 */
export async function runWithTimeout<T>(
  run: (signal: AbortSignal) => T | Promise<T>,
  timeoutMs: number,
  shutdown: AbortSignal,
): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let onShutdown: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    const fail = (error: Error) => {
      controller.abort(error);
      reject(error);
    };
    timer = setTimeout(() => fail(new PollTimeoutError(timeoutMs)), timeoutMs);
    onShutdown = () => fail(new PollShutdownError());
    if (shutdown.aborted) onShutdown();
    else shutdown.addEventListener('abort', onShutdown, { once: true });
  });
  try {
    return await Promise.race([Promise.resolve().then(() => run(controller.signal)), aborted]);
  } finally {
    clearTimeout(timer);
    if (onShutdown) shutdown.removeEventListener('abort', onShutdown);
    // Keep the rejected race loser from surfacing as an unhandled rejection.
    aborted.catch(() => undefined);
  }
}
