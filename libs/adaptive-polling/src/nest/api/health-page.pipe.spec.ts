import { describe, expect, it } from 'vitest';
import { badRequestMessage } from './testing/bad-request-message';
import { HealthPagePipe } from './health-page.pipe';

const pipe = new HealthPagePipe();

function problem(query: Record<string, unknown>): string {
  return badRequestMessage(() => pipe.transform(query));
}

describe('HealthPagePipe', () => {
  it('defaults to the first 500 instances and reads whole numbers', () => {
    expect(pipe.transform({})).toEqual({ offset: 0, limit: 500 });
    expect(pipe.transform(undefined)).toEqual({ offset: 0, limit: 500 });
    expect(pipe.transform({ offset: '1000', limit: '0' })).toEqual({ offset: 1000, limit: 0 });
    expect(pipe.transform({ limit: '100000', other: 'ignored' })).toEqual({ offset: 0, limit: 100_000 });
  });

  it('names the field and the rule for each bad value, all at once', () => {
    expect(problem({ offset: '-1', limit: 'all' })).toBe(
      'offset "-1" is invalid: must be a whole number >= 0; limit "all" is invalid: must be a whole number from 0 to 100000',
    );
    expect(problem({ limit: '100001' })).toBe('limit "100001" is invalid: must be a whole number from 0 to 100000');
    expect(problem({ offset: '1.5' })).toContain('offset "1.5" is invalid');
    expect(problem({ offset: '' })).toContain('offset "" is invalid');
    expect(problem({ limit: ['1', '2'] })).toBe('limit is given more than once: give it once');
  });
});
