import { describe, expect, it } from 'vitest';
import { shardNamingProblem, shardQueueNames } from './shard-queues';

describe('shardQueueNames', () => {
  it('keeps the one queue of an unsharded schedule as it was', () => {
    expect(shardQueueNames('bull', 'polling', 1, false)).toEqual(['polling']);
    expect(shardQueueNames('bull', 'polling', 1, true)).toEqual(['{polling}']);
  });

  it('gives every shard its own hash tag on a cluster, shard 0 keeping the plain name', () => {
    expect(shardQueueNames('bull', 'polling', 3, true)).toEqual(['{polling}', '{polling-1}', '{polling-2}']);
    expect(shardQueueNames('bull', '{polling}', 3, false)).toEqual(['{polling}', '{polling-1}', '{polling-2}']);
    expect(shardQueueNames('bull', 'polling', 3, false)).toEqual(['polling', 'polling-1', 'polling-2']);
  });
});

describe('shardNamingProblem', () => {
  it('refuses a tag that would put every shard in one slot', () => {
    expect(shardNamingProblem('{app}', 'polling', 2)).toMatch(/prefix/);
    expect(shardNamingProblem('bull', 'my{app}', 2)).toMatch(/whole queue name/);
  });

  it('accepts plain names, a whole-name tag, and any tag with one shard', () => {
    expect(shardNamingProblem('bull', 'polling', 3)).toBeNull();
    expect(shardNamingProblem('bull', '{polling}', 3)).toBeNull();
    expect(shardNamingProblem('{app}', 'polling', 1)).toBeNull();
  });
});
