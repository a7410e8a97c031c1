import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration, tryParseDuration } from './duration';
import { InvalidDurationError } from './errors';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

describe('parseDuration: accepted forms', () => {
  it.each<[string | number, number]>([
    ['750ms', 750],
    ['0ms', 0],
    ['0s', 0],
    ['10s', 10 * SECOND],
    ['5m', 5 * MINUTE],
    ['2h', 2 * HOUR],
    ['1h30m', HOUR + 30 * MINUTE],
    ['1m30s', MINUTE + 30 * SECOND],
    ['1s500ms', 1_500],
    ['1h2m3s4ms', HOUR + 2 * MINUTE + 3 * SECOND + 4],
    ['90m', 90 * MINUTE],
    ['1h0m', HOUR],
    ['  10s\n', 10 * SECOND],
    [0, 0],
    [1_500, 1_500],
    [0.5, 0.5],
  ])('%j -> %d ms', (input, expected) => {
    expect(parseDuration(input, 'minInterval')).toBe(expected);
  });
});

describe('parseDuration: refused forms', () => {
  it.each<[unknown, RegExp]>([
    ['5x', /^minInterval: "5x" is not a duration \(use e\.g\. 750ms, 10s, 5m, 1h30m\)$/],
    ['', /^minInterval: "" is not a duration/],
    ['   ', /^minInterval: " {3}" is not a duration/],
    ['1h 30m', /"1h 30m" is not a duration/],
    ['30m1h', /"30m1h" is not a duration/],
    ['10s5s', /"10s5s" is not a duration/],
    ['10S', /"10S" is not a duration/],
    ['1.5s', /"1.5s" is not a duration/],
    ['s', /"s" is not a duration/],
    ['10 s', /"10 s" is not a duration/],
    ['10', /^minInterval: "10" has no unit; add one, e\.g\. 10s or 10ms/],
    ['2.5', /"2.5" has no unit/],
    [' 0 ', /" 0 " has no unit/],
    ['-5s', /^minInterval: "-5s" is negative; a duration must be 0 or more$/],
    [-1, /^minInterval: -1 is negative/],
    [Number.NaN, /^minInterval: NaN is not a finite number of milliseconds$/],
    [Number.POSITIVE_INFINITY, /^minInterval: Infinity is not a finite/],
    ['99999999999999999999h', /is too large/],
    [true, /^minInterval: true is not a duration/],
    [null, /^minInterval: null is not a duration/],
    [{}, /^minInterval: an object is not a duration/],
  ])('%j is refused', (input, message) => {
    let thrown: unknown;
    try {
      parseDuration(input as string, 'minInterval');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidDurationError);
    expect((thrown as InvalidDurationError).field).toBe('minInterval');
    expect((thrown as Error).message).toMatch(message);
  });

  it('tryParseDuration reports the problem with its field instead of throwing', () => {
    expect(tryParseDuration('5x', 'types.pve.maxInterval')).toEqual({
      ok: false,
      problem: { field: 'types.pve.maxInterval', message: '"5x" is not a duration (use e.g. 750ms, 10s, 5m, 1h30m)' },
    });
    expect(tryParseDuration('5m', 'maxInterval')).toEqual({ ok: true, ms: 5 * MINUTE });
  });
});

describe('formatDuration', () => {
  it.each<[number, string]>([
    [0, '0ms'],
    [750, '750ms'],
    [1_000, '1s'],
    [1_500, '1s500ms'],
    [90_000, '1m30s'],
    [5 * MINUTE, '5m'],
    [HOUR + 30 * MINUTE, '1h30m'],
    [48 * HOUR + 1, '48h1ms'],
    [-1_500, '-1s500ms'],
    [0.5, '0.5ms'],
    [Number.NaN, 'NaN'],
  ])('%d -> %s', (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });

  it('round-trips every whole number of milliseconds through parseDuration', () => {
    fc.assert(
      fc.property(fc.nat({ max: 1_000 * HOUR }), (ms) => {
        expect(parseDuration(formatDuration(ms), 'x')).toBe(ms);
      }),
    );
  });

  it('parses any well-formed combination to the sum of its parts', () => {
    const part = fc.option(fc.nat({ max: 10_000 }), { nil: undefined });
    fc.assert(
      fc.property(part, part, part, part, (h, m, s, ms) => {
        fc.pre([h, m, s, ms].some((n) => n !== undefined));
        const text = [
          h === undefined ? '' : `${h}h`,
          m === undefined ? '' : `${m}m`,
          s === undefined ? '' : `${s}s`,
          ms === undefined ? '' : `${ms}ms`,
        ].join('');
        const expected = (h ?? 0) * HOUR + (m ?? 0) * MINUTE + (s ?? 0) * SECOND + (ms ?? 0);
        expect(parseDuration(text, 'x')).toBe(expected);
      }),
    );
  });
});
