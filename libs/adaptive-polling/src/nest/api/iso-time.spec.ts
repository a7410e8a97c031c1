import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createIsoFormatter, isoOrNull } from './iso-time';

describe('ISO times', () => {
  it('treats absent, zero, negative and non-finite times as null', () => {
    const fast = createIsoFormatter();
    for (const value of [null, undefined, 0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(isoOrNull(value)).toBeNull();
      expect(fast(value)).toBeNull();
    }
  });

  it('the fast formatter matches Date.toISOString', () => {
    const fast = createIsoFormatter();
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 253_402_300_799_999 }), (ms) => {
        expect(fast(ms)).toBe(new Date(ms).toISOString());
      }),
    );
    expect(fast(1_700_000_000_123.9)).toBe(new Date(1_700_000_000_123).toISOString());
  });
});
