import { describe, expect, it } from 'vitest';
import { hasHashTag, pollQueueName } from './poll-queue-options';

describe('pollQueueName: every key of one queue in one Redis Cluster slot', () => {
  it('leaves names alone on a single Redis (existing keys stay put)', () => {
    expect(pollQueueName('bull', 'polling', false)).toBe('polling');
  });

  it('wraps the queue name in braces on a cluster', () => {
    expect(pollQueueName('bull', 'polling', true)).toBe('{polling}');
  });

  it("keeps the user's own hash tag, in the prefix or the name", () => {
    expect(pollQueueName('{app}', 'polling', true)).toBe('polling');
    expect(pollQueueName('bull', '{polling}', true)).toBe('{polling}');
  });

  it('takes only braces with something inside as a tag (Redis hashes the whole key for `{}`)', () => {
    expect(hasHashTag('a{}b')).toBe(false);
    expect(hasHashTag('a{x}b')).toBe(true);
    expect(pollQueueName('bull{}', 'polling', true)).toBe('{polling}');
  });
});
