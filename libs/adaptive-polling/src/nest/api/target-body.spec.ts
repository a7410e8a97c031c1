import { describe, expect, it } from 'vitest';
import { normaliseTarget } from '../../core/target';
import { changesOf, createBodyProblems, mergePatch, parseTargetListQuery, patchBodyProblems } from './target-body';

const fields = (problems: Array<{ field: string }>) => problems.map((p) => p.field);

describe('createBodyProblems', () => {
  it('accepts a minimal and a full target', () => {
    expect(createBodyProblems({ name: 'a', type: 'pve' })).toEqual([]);
    expect(
      createBodyProblems({ name: 'a', type: 'pve', displayName: 'A', connection: {}, metadata: {}, fixedIntervalMs: null, paused: true }),
    ).toEqual([]);
  });

  it('names every bad field under body', () => {
    expect(fields(createBodyProblems({ name: 1, type: '', connection: [], paused: 1, extra: 0 }))).toEqual([
      'body.name',
      'body.type',
      'body.connection',
      'body.paused',
      'body.extra',
    ]);
    expect(fields(createBodyProblems(null))).toEqual(['body']);
  });
});

describe('patchBodyProblems', () => {
  it('accepts any patchable field, null for the interval', () => {
    expect(patchBodyProblems({ displayName: 'x' })).toEqual([]);
    expect(patchBodyProblems({ connection: { host: 'h', password: null }, fixedIntervalMs: null, paused: false })).toEqual([]);
  });

  it('refuses the key fields, unknown fields, nulls and bad types, all at once', () => {
    const problems = patchBodyProblems({ name: 'b', type: 'x', metadata: null, displayName: null, fixedIntervalMs: -1, colour: 1 });
    expect(fields(problems)).toEqual([
      'body.name',
      'body.type',
      'body.colour',
      'body.displayName',
      'body.metadata',
      'body.fixedIntervalMs',
    ]);
    expect(problems[0].message).toContain('part of the target key');
  });

  it('refuses an empty body and one that is not an object', () => {
    expect(fields(patchBodyProblems({}))).toEqual(['body']);
    expect(fields(patchBodyProblems([]))).toEqual(['body']);
    expect(fields(patchBodyProblems('x'))).toEqual(['body']);
  });
});

describe('mergePatch and changesOf', () => {
  it('merges objects as RFC 7396 says: given members replace, null removes, others stay', () => {
    expect(mergePatch({ a: 1, b: { c: 2, d: 3 }, e: 4 }, { a: 9, b: { c: null, f: 5 }, e: null, g: [1] })).toEqual({
      a: 9,
      b: { d: 3, f: 5 },
      g: [1],
    });
  });

  it('keeps a secret the client never resent', () => {
    const current = normaliseTarget({ name: 'a', type: 'pve', connection: { host: 'old', password: 'p' }, metadata: { site: 's' } });
    expect(changesOf(current, { connection: { host: 'new' }, fixedIntervalMs: null })).toEqual({
      connection: { host: 'new', password: 'p' },
      fixedIntervalMs: null,
    });
  });
});

describe('parseTargetListQuery', () => {
  it('defaults, and reads offset, limit and type', () => {
    expect(parseTargetListQuery({})).toEqual({ value: { offset: 0, limit: 100, type: null }, problems: [] });
    expect(parseTargetListQuery({ offset: '5', limit: '1000', type: 'pbs' }).value).toEqual({ offset: 5, limit: 1000, type: 'pbs' });
  });

  it('names every bad parameter', () => {
    const { problems } = parseTargetListQuery({ offset: '-1', limit: '1001', type: 'a b', page: '2' });
    expect(fields(problems).sort()).toEqual(['query.limit', 'query.offset', 'query.page', 'query.type']);
    expect(fields(parseTargetListQuery({ limit: ['1', '2'] }).problems)).toEqual(['query.limit']);
  });
});
