import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { applyChangeSignal, changeHashOf, isSignalledResult, withChangeSignal } from './change-signal';
import { stableHash } from './hash';

const sha1 = (text: string) => createHash('sha1').update(text, 'utf8').digest('hex');

describe('change signal', () => {
  const body = { guests: [{ id: 'qemu/100', status: 'running', cpu: 0.12, uptime: 1000 }] };
  const later = { guests: [{ id: 'qemu/100', status: 'running', cpu: 0.57, uptime: 1010 }] };
  const signal = (b: typeof body) => b.guests.map((g) => `${g.id} ${g.status}`).join('\n');

  it('without a signal hashes the whole result, as before', () => {
    expect(changeHashOf(body)).toBe(stableHash(body));
    expect(changeHashOf(body)).not.toBe(changeHashOf(later));
  });

  it('hashes only the signal: counters that moved do not change it', () => {
    const a = changeHashOf(applyChangeSignal(body, signal as (r: unknown) => unknown));
    const b = changeHashOf(applyChangeSignal(later, signal as (r: unknown) => unknown));
    expect(a).toBe(b);
    const stopped = { guests: [{ ...body.guests[0], status: 'stopped' }] };
    expect(changeHashOf(applyChangeSignal(stopped, signal as (r: unknown) => unknown))).not.toBe(a);
  });

  it('hashes a string or Buffer signal as its bytes, with no JSON around it', () => {
    expect(changeHashOf(withChangeSignal(body, 'qemu/100 running'))).toBe(sha1('qemu/100 running'));
    expect(changeHashOf(withChangeSignal(body, Buffer.from('qemu/100 running')))).toBe(sha1('qemu/100 running'));
    // An object signal is canonical JSON, key order ignored.
    expect(changeHashOf(withChangeSignal(body, { b: 1, a: 2 }))).toBe(sha1('{"a":2,"b":1}'));
  });

  it('an explicit signal on the result wins over the decorator function', () => {
    const explicit = withChangeSignal(body, 'explicit');
    const applied = applyChangeSignal(explicit, () => 'from the decorator');
    expect(applied).toBe(explicit);
    expect(changeHashOf(applied)).toBe(sha1('explicit'));
  });

  it('keeps the result reachable and recognises only branded wrappers', () => {
    const wrapped = withChangeSignal(body, 'x');
    expect(isSignalledResult(wrapped)).toBe(true);
    expect(wrapped.result).toBe(body);
    expect(isSignalledResult({ result: body, signal: 'x' })).toBe(false);
    expect(isSignalledResult(null)).toBe(false);
  });

  it('lets a throwing signal function fail the poll (never silent)', () => {
    expect(() =>
      applyChangeSignal(body, () => {
        throw new Error('bad body');
      }),
    ).toThrow('bad body');
  });
});
