import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stableHash } from './hash';

const sha1 = (text: string) => createHash('sha1').update(text, 'utf8').digest('hex');

describe('stableHash', () => {
  it('is a sha1 hex digest', () => {
    expect(stableHash({ a: 1 })).toMatch(/^[0-9a-f]{40}$/);
  });

  it('hashes the bytes of strings, Buffers and Uint8Arrays alike', () => {
    const text = 'node pve1: cpu 0.42 ✓';
    expect(stableHash(text)).toBe(sha1(text));
    expect(stableHash(Buffer.from(text, 'utf8'))).toBe(sha1(text));
    expect(stableHash(new Uint8Array(Buffer.from(text, 'utf8')))).toBe(sha1(text));
    expect(stableHash('a')).not.toBe(stableHash('b'));
  });

  it('hashes other values by a canonical JSON with sorted keys', () => {
    expect(stableHash({ b: [1, { d: true, c: null }], a: 'x' })).toBe(sha1('{"a":"x","b":[1,{"c":null,"d":true}]}'));
  });

  it.each<[string, unknown, unknown]>([
    ['top-level key order', { a: 1, b: 2 }, { b: 2, a: 1 }],
    ['nested key order', { x: { a: 1, b: { c: 1, d: 2 } } }, { x: { b: { d: 2, c: 1 }, a: 1 } }],
    ['keys in arrays of objects', [{ a: 1, b: 2 }], [{ b: 2, a: 1 }]],
    ['undefined members are skipped', { a: 1, b: undefined }, { a: 1 }],
    ['functions are skipped', { a: 1, f: () => 1 }, { a: 1 }],
    ['undefined in arrays is null', [undefined], [null]],
    ['NaN is null', { n: Number.NaN }, { n: null }],
    ['Date hashes as its ISO string', { at: new Date(0) }, { at: '1970-01-01T00:00:00.000Z' }],
    ['null and undefined hash alike', null, undefined],
    [
      'Map entry order',
      new Map([
        ['a', 1],
        ['b', 2],
      ]),
      new Map([
        ['b', 2],
        ['a', 1],
      ]),
    ],
    ['Set order', new Set([1, 2]), new Set([2, 1])],
  ])('equal: %s', (_name, left, right) => {
    expect(stableHash(left)).toBe(stableHash(right));
  });

  it.each<[string, unknown, unknown]>([
    ['different values', { a: 1 }, { a: 2 }],
    ['array order matters', [1, 2], [2, 1]],
    ['number vs string', { a: 1 }, { a: '1' }],
    ['null vs empty object', null, {}],
    ['Map contents', new Map([['a', 1]]), new Map([['a', 2]])],
    ['Set contents', new Set([1]), new Set([2])],
    ['Map vs empty object', new Map([['a', 1]]), {}],
    ['bigint values', { n: 1n }, { n: 2n }],
    ['false vs null', false, null],
  ])('different: %s', (_name, left, right) => {
    expect(stableHash(left)).not.toBe(stableHash(right));
  });

  it('gives null and undefined one fixed value', () => {
    expect(stableHash(null)).toBe(sha1('null'));
    expect(stableHash(undefined)).toBe(sha1('null'));
  });

  it('refuses circular results with a clear error', () => {
    const result: Record<string, unknown> = { a: 1 };
    result.self = result;
    expect(() => stableHash(result)).toThrow(/circular reference/);
  });

  it('accepts the same object twice (shared, not circular)', () => {
    const shared = { a: 1 };
    expect(stableHash({ x: shared, y: shared })).toBe(stableHash({ x: { a: 1 }, y: { a: 1 } }));
  });

  it('does not depend on key order for any JSON value (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(stableHash(reverseKeys(value))).toBe(stableHash(value));
      }),
    );
  });

  it('is the JSON text with keys sorted, for any JSON value but a string (property)', () => {
    fc.assert(
      // A string result hashes its bytes (tested above).
      fc.property(
        fc.jsonValue().filter((v) => typeof v !== 'string'),
        (value) => {
          expect(stableHash(value)).toBe(sha1(sortedJson(value)));
        },
      ),
    );
    const nested = { z: [1, -0, 1e21, 'a"b', { y: undefined, x: [undefined, () => 1] }], a: { c: true, b: null } };
    expect(stableHash(nested)).toBe(sha1('{"a":{"b":null,"c":true},"z":[1,0,1e+21,"a\\"b",{"x":[null,null]}]}'));
  });

  it('agrees with JSON.stringify on values without objects (property)', () => {
    const scalar = fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.double({ noNaN: true, noDefaultInfinity: true }));
    fc.assert(
      fc.property(fc.array(scalar), (value) => {
        expect(stableHash(value)).toBe(sha1(JSON.stringify(value)));
      }),
    );
  });
});

/** Reference: JSON text with every object's keys sorted (integer-like keys too, which JS objects list first). */
function sortedJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(',')}]`;
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  const record = value as Record<string, unknown>;
  return `{${Object.keys(record)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${sortedJson(record[key])}`)
    .join(',')}}`;
}

/** The same value with every object's keys inserted in reverse order. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (typeof value !== 'object' || value === null) return value;
  const reversed: Record<string, unknown> = {};
  for (const key of Object.keys(value).reverse()) {
    Object.defineProperty(reversed, key, {
      value: reverseKeys((value as Record<string, unknown>)[key]),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return reversed;
}
