import { describe, expect, it } from 'vitest';
import { PollingOptionsError } from '../../core/errors';
import { resolveHousekeepingOptions } from '../housekeeping/housekeeping-options';
import { resolveReplicaOptions } from './replica-options';

function problemFields(resolve: () => unknown): string[] {
  try {
    resolve();
  } catch (error) {
    expect(error).toBeInstanceOf(PollingOptionsError);
    return (error as PollingOptionsError).problems.map((p) => p.field);
  }
  throw new Error('expected the options to be refused');
}

describe('replica and housekeeping options list every bad value at once', () => {
  it('replicas', () => {
    expect(
      problemFields(() => resolveReplicaOptions({ heartbeatIntervalMs: 0, heartbeatTtlMs: -1, knownReplicaRetentionMs: Number.NaN })),
    ).toEqual(['replicas.heartbeatIntervalMs', 'replicas.heartbeatTtlMs', 'replicas.knownReplicaRetentionMs']);
    expect(problemFields(() => resolveReplicaOptions({ heartbeatIntervalMs: 5_000, heartbeatTtlMs: 5_000 }))).toEqual([
      'replicas.heartbeatTtlMs',
    ]);
    expect(resolveReplicaOptions({}).heartbeatTtlMs).toBe(15_000);
  });

  it('housekeeping', () => {
    expect(
      problemFields(() => resolveHousekeepingOptions({ janitorIntervalMs: 0, lockTtlMs: -5, enabled: 'yes' as unknown as boolean })),
    ).toEqual(['housekeeping.janitorIntervalMs', 'housekeeping.lockTtlMs', 'housekeeping.enabled']);
    expect(resolveHousekeepingOptions({}).janitorIntervalMs).toBe(600_000);
  });
});
