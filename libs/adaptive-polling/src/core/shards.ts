import { hashString32 } from './hash32';

/** Shards when the option is not set: one queue, as before sharding existed. */
export const DEFAULT_SHARDS = 1;
/** More shards than this buys nothing on a real cluster and costs a worker connection each per replica. */
export const MAX_SHARDS = 64;

/**
 * The shard (0 .. shards-1) whose queue holds a target's job: a stable hash
 * of its key, so every replica and every restart agrees without asking Redis.
 */
export function shardOfTarget(targetKey: string, shards: number): number {
  return shards <= 1 ? 0 : hashString32(targetKey) % shards;
}
