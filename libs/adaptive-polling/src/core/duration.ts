import { InvalidDurationError } from './errors';
import { durationNeedsUnit, durationNegative, durationNotFinite, durationTooLarge, fieldMessage, notADuration } from './messages';
import type { OptionProblem } from './types';

/**
 * Durations as people write them in config: `750ms`, `10s`, `5m`, `1h30m`.
 *
 * - Units h, m, s, ms, combined in that (descending) order, each at most once,
 *   whole numbers only, no spaces inside (`1h 30m` is refused). Surrounding
 *   whitespace is ignored, since env files often carry it.
 * - A number means milliseconds. A numeric string without a unit is refused:
 *   `"10"` could mean seconds or milliseconds, so the user must say which.
 * - Negative, NaN and infinite values are refused.
 */

const UNIT_MS = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1 } as const;

const DURATION_PATTERN = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const BARE_NUMBER_PATTERN = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

export type DurationParseResult = { ok: true; ms: number } | { ok: false; problem: OptionProblem };

/** Parses a duration, or returns the problem (naming `field`) without throwing. */
export function tryParseDuration(value: unknown, field: string): DurationParseResult {
  const fail = (message: string): DurationParseResult => ({ ok: false, problem: { field, message } });

  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return fail(durationNotFinite(value));
    if (value < 0) return fail(durationNegative(value));
    return { ok: true, ms: value };
  }
  if (typeof value !== 'string') return fail(notADuration(value));

  const text = value.trim();
  if (BARE_NUMBER_PATTERN.test(text)) return fail(durationNeedsUnit(value));
  if (text.length > 1 && text.startsWith('-') && DURATION_PATTERN.test(text.slice(1))) {
    return fail(durationNegative(value));
  }
  const match = DURATION_PATTERN.exec(text);
  if (match === null || text === '') return fail(notADuration(value));

  const [, h, m, s, ms] = match;
  const total = Number(h ?? 0) * UNIT_MS.h + Number(m ?? 0) * UNIT_MS.m + Number(s ?? 0) * UNIT_MS.s + Number(ms ?? 0);
  if (!Number.isSafeInteger(total)) return fail(durationTooLarge(value));
  return { ok: true, ms: total };
}

/** Parses a duration to milliseconds; throws `InvalidDurationError` naming the field and the bad value. */
export function parseDuration(value: string | number, field: string): number {
  const result = tryParseDuration(value, field);
  if (!result.ok) throw new InvalidDurationError(field, fieldMessage(field, result.problem.message));
  return result.ms;
}

/**
 * Renders milliseconds the way `parseDuration` reads them: 90000 -> `1m30s`,
 * 750 -> `750ms`, 0 -> `0ms`. Whole milliseconds round-trip exactly.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms === 0) return '0ms';

  let rest = ms;
  let text = '';
  for (const unit of ['h', 'm', 's'] as const) {
    const count = Math.floor(rest / UNIT_MS[unit]);
    if (count > 0) {
      text += `${count}${unit}`;
      rest -= count * UNIT_MS[unit];
    }
  }
  // Fractions of a millisecond (from numeric options) are kept, rounded for display.
  const restShown = Number(rest.toFixed(3));
  if (restShown > 0) text += `${restShown}ms`;
  return text === '' ? '0ms' : text;
}
