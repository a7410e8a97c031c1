import type { EventEmitter } from 'node:events';

/**
 * Resolves with the first event that satisfies `predicate`, or rejects after
 * `timeoutMs` naming what it waited for. Integration tests await events with
 * a bound instead of sleeping for time to pass.
 */
export function waitForEvent<T>(
  emitter: EventEmitter,
  name: string,
  predicate: (payload: T) => boolean = () => true,
  timeoutMs = 15_000,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(name, listener);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for "${name}"`));
    }, timeoutMs);
    const listener = (payload: T) => {
      if (!predicate(payload)) return;
      clearTimeout(timer);
      emitter.off(name, listener);
      resolve(payload);
    };
    emitter.on(name, listener);
  });
}

/** Polls an async condition until true, or rejects after the bound. */
export async function eventually<T>(
  check: () => Promise<T | undefined | null | false>,
  description: string,
  timeoutMs = 15_000,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${description}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
