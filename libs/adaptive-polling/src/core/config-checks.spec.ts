import { describe, expect, it } from 'vitest';
import { POSTGRES_URL_KIND, REDIS_URL_KIND, checkPositiveNumber, collectProblems, configurationError, urlProblem } from './config-checks';
import { PollingOptionsError } from './errors';
import { resolvePollingOptions } from './options';
import type { OptionProblem } from './types';

describe('urlProblem', () => {
  it.each([
    ['redis://127.0.0.1:6379', REDIS_URL_KIND],
    ['rediss://user:pw@cache.internal:6380/2', REDIS_URL_KIND],
    ['/run/redis/redis.sock', REDIS_URL_KIND],
    ['postgres://u:p@db:5432/app', POSTGRES_URL_KIND],
    ['postgresql://db/app', POSTGRES_URL_KIND],
  ])('accepts %s', (value, kind) => {
    expect(urlProblem(value, 'URL', kind)).toBeNull();
  });

  it.each<[string, typeof REDIS_URL_KIND, RegExp]>([
    ['garbage', REDIS_URL_KIND, /^is not a valid URL \(expected redis:\/\//],
    ['http://cache:6379', REDIS_URL_KIND, /^uses the unsupported scheme "http:" \(supported: redis:, rediss:/],
    ['garbage', POSTGRES_URL_KIND, /^is not a valid URL \(expected postgres:\/\//],
    ['postgres://::nope', POSTGRES_URL_KIND, /^is not a valid URL/],
    ['mysql://u:p@db/app', POSTGRES_URL_KIND, /^uses the unsupported scheme "mysql:"/],
    ['postgres:///app', POSTGRES_URL_KIND, /^has no host/],
  ])('refuses %s, naming the field and never quoting the value', (value, kind, message) => {
    const problem = urlProblem(value, 'DATABASE_URL', kind);
    expect(problem).toEqual({ field: 'DATABASE_URL', message: expect.stringMatching(message) });
    expect(problem?.message).not.toContain(value);
  });
});

describe('checkPositiveNumber', () => {
  it.each([undefined, 1, 0.5, 1e9])('accepts %s', (value) => {
    const problems: OptionProblem[] = [];
    checkPositiveNumber(value, 'replicas.heartbeatIntervalMs', problems);
    expect(problems).toEqual([]);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY, '5s', null])('refuses %s', (value) => {
    const problems: OptionProblem[] = [];
    checkPositiveNumber(value, 'replicas.heartbeatIntervalMs', problems);
    expect(problems).toEqual([
      { field: 'replicas.heartbeatIntervalMs', message: expect.stringMatching(/^must be a number greater than 0/) },
    ]);
  });
});

describe('collectProblems and configurationError: one pass over every section', () => {
  it('gathers the problems of every section, then lists each once in one error', () => {
    const problems: OptionProblem[] = [];
    const polling = collectProblems(
      () => resolvePollingOptions({ env: { ADAPTIVE_POLLING_ENABLED: 'maybe', ADAPTIVE_POLLING_MAX_INTERVAL: '99999999h' } }),
      problems,
    );
    const other = collectProblems(() => {
      throw new PollingOptionsError([{ field: 'REDIS_URL', message: 'is not a valid URL' }], 'x');
    }, problems);
    const fine = collectProblems(() => 42, problems);
    expect(polling).toBeUndefined();
    expect(other).toBeUndefined();
    expect(fine).toBe(42);
    problems.push({ field: 'REDIS_URL', message: 'is not a valid URL' });

    const error = configurationError(problems);
    expect(error.problems.map((p) => p.field)).toEqual(['ADAPTIVE_POLLING_ENABLED', 'ADAPTIVE_POLLING_MAX_INTERVAL', 'REDIS_URL']);
    expect(error.message.split('\n')).toEqual([
      'Invalid adaptive polling configuration (3 problems):',
      ...error.problems.map((p) => `  - ${p.field}: ${p.message}`),
    ]);
  });

  it('rethrows an error that lists no problems', () => {
    expect(() => collectProblems(() => JSON.parse('{'), [])).toThrow(SyntaxError);
  });
});
