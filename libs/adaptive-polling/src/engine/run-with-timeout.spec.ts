import { afterEach, describe, expect, it, vi } from 'vitest';
import { PollShutdownError, PollTimeoutError } from './poll-handler';
import { runWithTimeout, type PollAbort } from './run-with-timeout';

describe('runWithTimeout', () => {
  afterEach(() => vi.useRealTimers());

  it('returns a synchronous result without setting a timer', async () => {
    vi.useFakeTimers();
    await expect(runWithTimeout(() => 42, 1_000, new AbortController().signal)).resolves.toBe(42);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('turns a synchronous throw into a rejection', async () => {
    const boom = new Error('boom');
    await expect(
      runWithTimeout(
        () => {
          throw boom;
        },
        1_000,
        new AbortController().signal,
      ),
    ).rejects.toBe(boom);
  });

  it('runs no handler once the process is shutting down', async () => {
    const shutdown = new AbortController();
    shutdown.abort();
    const handler = vi.fn(() => 1);
    await expect(runWithTimeout(handler, 1_000, shutdown.signal)).rejects.toBeInstanceOf(PollShutdownError);
    expect(handler).not.toHaveBeenCalled();
  });

  it('settles a hung promise at the timeout and aborts its signal', async () => {
    vi.useFakeTimers();
    let seen: PollAbort | undefined;
    const running = runWithTimeout(
      (abort) => {
        seen = abort;
        return new Promise<never>(() => undefined);
      },
      500,
      new AbortController().signal,
    );
    const outcome = expect(running).rejects.toBeInstanceOf(PollTimeoutError);
    await vi.advanceTimersByTimeAsync(500);
    await outcome;
    expect(seen!.signal.aborted).toBe(true);
    expect(seen!.signal.reason).toBeInstanceOf(PollTimeoutError);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('aborts a running promise on shutdown and clears its timer', async () => {
    vi.useFakeTimers();
    const shutdown = new AbortController();
    let signal: AbortSignal | undefined;
    const running = runWithTimeout(
      (abort) => {
        signal = abort.signal;
        return new Promise<never>(() => undefined);
      },
      10_000,
      shutdown.signal,
    );
    shutdown.abort();
    await expect(running).rejects.toBeInstanceOf(PollShutdownError);
    expect(signal!.aborted).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('resolves with the value of a promise that settles in time', async () => {
    vi.useFakeTimers();
    await expect(runWithTimeout(async () => 'ok', 1_000, new AbortController().signal)).resolves.toBe('ok');
    expect(vi.getTimerCount()).toBe(0);
  });
});
