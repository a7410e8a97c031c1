import { describe, expect, it } from 'vitest';
import { PollingOptionsError } from '../../core/errors';
import { resolvePersistenceOptions, validatePersistenceOptions } from './persistence-options';

describe('persistence options', () => {
  it.each(['garbage', 'postgres://::nope', 'mysql://user:secret@db/app', 'sqlite:///tmp/x.db'])(
    'a malformed or non-PostgreSQL url (%s) is a configuration problem, not an outage',
    (url) => {
      const problems = validatePersistenceOptions({ url });
      expect(problems).toEqual([{ field: 'persistence.url', message: expect.any(String) }]);
      expect(problems[0].message).not.toContain('secret');
      expect(() => resolvePersistenceOptions({ url })).toThrow(PollingOptionsError);
    },
  );

  it('lists every bad value at once', () => {
    expect(validatePersistenceOptions({ url: 'garbage', schema: 'a b', batchSize: 0, connectTimeoutMs: -1 }).map((p) => p.field)).toEqual([
      'persistence.url',
      'persistence.schema',
      'persistence.batchSize',
      'persistence.connectTimeoutMs',
    ]);
  });

  it('accepts a PostgreSQL URL, or none (SQLite)', () => {
    expect(validatePersistenceOptions({ url: 'postgresql://u:p@127.0.0.1:5432/test' })).toEqual([]);
    expect(resolvePersistenceOptions({ url: '  ' })).toMatchObject({ url: null, connectTimeoutMs: 15_000 });
  });
});
