import { describe, expect, it } from 'vitest';
import { WriteBuffer } from './write-buffer';

describe('WriteBuffer', () => {
  it('keeps only the latest state write per slot', () => {
    const buffer = new WriteBuffer<string, number>(10);
    buffer.putKeyed('dl|a', 'park 1');
    buffer.putKeyed('dl|b', 'park b');
    buffer.putKeyed('dl|a', 'delete');
    expect(buffer.size()).toBe(2);
    expect(buffer.peekKeyed('dl|a')).toBe('delete');
    const batch = buffer.take(10);
    expect(batch.keyed).toEqual([
      { slot: 'dl|b', write: 'park b' },
      { slot: 'dl|a', write: 'delete' },
    ]);
    expect(buffer.size()).toBe(0);
  });

  it('takes at most `limit` of each kind, records in order', () => {
    const buffer = new WriteBuffer<string, number>(100);
    for (let i = 0; i < 5; i++) buffer.append(i);
    for (let i = 0; i < 3; i++) buffer.putKeyed(`s${i}`, `w${i}`);
    const batch = buffer.take(2);
    expect(batch.records).toEqual([0, 1]);
    expect(batch.keyed.map((k) => k.slot)).toEqual(['s0', 's1']);
    expect(buffer.size()).toBe(4);
  });

  it('drops the oldest records when full and counts them', () => {
    const buffer = new WriteBuffer<string, number>(3);
    for (let i = 0; i < 5; i++) buffer.append(i);
    expect(buffer.take(10).records).toEqual([2, 3, 4]);
    expect(buffer.dropped()).toBe(2);
  });

  it('restores a failed batch in front, without overwriting newer state writes', () => {
    const buffer = new WriteBuffer<string, number>(10);
    buffer.putKeyed('dl|a', 'park');
    buffer.putKeyed('dl|b', 'park b');
    buffer.append(1);
    buffer.append(2);
    const failed = buffer.take(10);
    buffer.putKeyed('dl|a', 'delete');
    buffer.append(3);
    buffer.restore(failed);
    const again = buffer.take(10);
    expect(again.records).toEqual([1, 2, 3]);
    expect(Object.fromEntries(again.keyed.map((k) => [k.slot, k.write]))).toEqual({ 'dl|a': 'delete', 'dl|b': 'park b' });
  });

  it('restoring into a full buffer drops the oldest records first', () => {
    const buffer = new WriteBuffer<string, number>(3);
    buffer.append(1);
    buffer.append(2);
    const failed = buffer.take(10);
    buffer.append(3);
    buffer.append(4);
    buffer.restore(failed);
    expect(buffer.take(10).records).toEqual([2, 3, 4]);
    expect(buffer.dropped()).toBe(1);
  });
});
