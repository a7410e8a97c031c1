import { describe, expect, it } from 'vitest';
import { UnorderedDigest } from './unordered-digest';

type Field = string | number | undefined;
const digestOf = (records: Field[][]): string => {
  const digest = new UnorderedDigest();
  for (const fields of records) {
    digest.record();
    for (const f of fields) {
      if (typeof f === 'number') digest.number(f);
      else digest.text(f);
    }
    digest.end();
  }
  return digest.digest();
};

describe('UnorderedDigest', () => {
  const records: Field[][] = [
    ['qemu/100', 'pve1', 'running', 8 * 2 ** 30],
    ['qemu/101', 'pve2', 'stopped', 4 * 2 ** 30],
    ['lxc/102', undefined, 'running', 1.5],
  ];

  it('ignores the order of the records', () => {
    expect(digestOf([...records].reverse())).toBe(digestOf(records));
  });

  it.each<[string, Field[][]]>([
    ['a field changed', [['qemu/100', 'pve1', 'stopped', 8 * 2 ** 30], records[1], records[2]]],
    ['a field boundary moved', [['qemu/100', 'pve1r', 'unning', 8 * 2 ** 30], records[1], records[2]]],
    ['a high number half changed', [['qemu/100', 'pve1', 'running', 9 * 2 ** 30], records[1], records[2]]],
    ['a number became its text', [['qemu/100', 'pve1', 'running', String(8 * 2 ** 30)], records[1], records[2]]],
    ['undefined became empty', [records[0], records[1], ['lxc/102', '', 'running', 1.5]]],
    ['a record was removed', records.slice(1)],
    ['a record was doubled', [...records, records[0]]],
    ['an odd-length text grew by a unit', [['qemu/1000', 'pve1', 'running', 8 * 2 ** 30], records[1], records[2]]],
  ])('changes when %s', (_what, changed) => {
    expect(digestOf(changed)).not.toBe(digestOf(records));
  });

  it('tells apart the records of many small edits (no collisions over 20,000 one-field variants)', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) seen.add(digestOf([[`qemu/${i}`, 'pve1', 'running', i], records[1]]));
    expect(seen.size).toBe(20_000);
  });
});
