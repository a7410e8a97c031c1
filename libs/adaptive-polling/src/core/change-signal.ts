import { stableHash } from './hash';

/**
 * The change signal (SPEC 2): what of a poll result counts as a change.
 *
 * A poller says it in one of two ways, or both:
 * - `@Poller({ type, changeSignal: (result) => ... })`: a function of the result;
 * - returning `withChangeSignal(result, signal)`: an explicit signal for this one result
 *   (it wins over the decorator's function).
 * Only the signal is hashed. A string or Buffer signal is hashed as bytes, with no
 * canonical serialisation (the cheap path for large answers: build a compact text);
 * any other value is hashed as canonical JSON, as a whole result is without a signal.
 */

/** A function from a poll result to the part of it that matters. */
export type ChangeSignalFn<T = unknown> = (result: T) => unknown;

/**
 * Brand of a signalled result. `Symbol.for`, so a result made by a second copy of the
 * library (two installs in one app) is still recognised.
 */
const SIGNALLED = Symbol.for('nestjs-adaptive-polling.signalled-result');

/** A poll result that carries its own change signal. */
export interface SignalledResult<T = unknown> {
  readonly [SIGNALLED]: true;
  readonly result: T;
  readonly signal: unknown;
}

/** Wraps a poll result with the signal to hash instead of the whole result. */
export function withChangeSignal<T>(result: T, signal: unknown): SignalledResult<T> {
  return { [SIGNALLED]: true, result, signal };
}

export function isSignalledResult(value: unknown): value is SignalledResult {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[SIGNALLED] === true;
}

/** The hash the engine stores and compares: of the explicit signal, else of the whole result. */
export function changeHashOf(result: unknown): string {
  return isSignalledResult(result) ? stableHash(result.signal) : stableHash(result);
}

/**
 * Applies a poller's `changeSignal` function to its result (an explicit signal already
 * attached wins). The function runs inside the poll, so a throw fails the poll and is
 * classified like any other error: never silent.
 */
export function applyChangeSignal(result: unknown, changeSignal: ChangeSignalFn | undefined): unknown {
  if (changeSignal === undefined || isSignalledResult(result)) return result;
  return withChangeSignal(result, changeSignal(result));
}
