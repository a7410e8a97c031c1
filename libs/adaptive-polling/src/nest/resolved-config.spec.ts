import { Cluster } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { PollingOptionsError } from '../core/errors';
import { resolveModuleConfig, validateAdaptivePollingOptions } from './resolved-config';

describe('module options: one pass over every section', () => {
  it('names a problem in each section, the Redis URL included, in one error', () => {
    const options = {
      redis: 'garbage',
      env: { ADAPTIVE_POLLING_ENABLED: 'maybe', ADAPTIVE_POLLING_MAX_INTERVAL: '99999999h' },
      api: { token: 'short' },
      metrics: { prefix: '1bad' },
      replicas: { heartbeatIntervalMs: 0 },
      housekeeping: { lockTtlMs: -1 },
    };
    expect(validateAdaptivePollingOptions(options).map((p) => p.field)).toEqual([
      'redis',
      'ADAPTIVE_POLLING_ENABLED',
      'ADAPTIVE_POLLING_MAX_INTERVAL',
      'api.token',
      'metrics.prefix',
      'replicas.heartbeatIntervalMs',
      'housekeeping.lockTtlMs',
    ]);
    expect(() => resolveModuleConfig(options)).toThrow(PollingOptionsError);
    expect(() => resolveModuleConfig(options)).toThrow(/^Invalid adaptive polling configuration \(7 problems\):/);
  });

  it.each(['http://cache:6379', 'redis//missing-colon'])('refuses the Redis URL %s', (redis) => {
    expect(validateAdaptivePollingOptions({ redis, api: { auth: false }, env: false })).toEqual([
      { field: 'redis', message: expect.any(String) },
    ]);
  });

  it('accepts a good configuration', () => {
    expect(validateAdaptivePollingOptions({ redis: 'rediss://user:pw@cache:6380/1', api: { auth: false }, env: false })).toEqual([]);
  });

  it('accepts an ioredis Cluster and hash-tags the queue name for it (a plain one stays plain on one Redis)', () => {
    const cluster = new Cluster([{ host: '127.0.0.1', port: 7000 }], { lazyConnect: true });
    expect(validateAdaptivePollingOptions({ redis: cluster, api: { auth: false }, env: false })).toEqual([]);
    expect(resolveModuleConfig({ redis: cluster, api: { auth: false }, env: false }).queueName).toBe('{adaptive-polling}');
    expect(resolveModuleConfig({ redis: cluster, prefix: '{app}', api: { auth: false }, env: false }).queueName).toBe('adaptive-polling');
    expect(resolveModuleConfig({ redis: 'redis://cache:6379', api: { auth: false }, env: false }).queueName).toBe('adaptive-polling');
  });

  it('checks shards: a whole number from 1 to 64, and names whose hash tag would put every shard in one slot', () => {
    const base = { redis: 'redis://cache:6379', api: { auth: false }, env: false } as const;
    expect(resolveModuleConfig({ ...base, shards: 3 }).shards).toBe(3);
    expect(resolveModuleConfig(base).shards).toBe(1);
    for (const shards of [0, 1.5, 65]) expect(validateAdaptivePollingOptions({ ...base, shards }).map((p) => p.field)).toEqual(['shards']);
    expect(validateAdaptivePollingOptions({ ...base, shards: 2, prefix: '{app}' })).toEqual([
      { field: 'shards', message: expect.stringMatching(/prefix/) },
    ]);
  });
});
