import type { RedisClient } from '../../engine/redis-connection';
import { randomUUID } from 'node:crypto';

// Compare-and-delete / compare-and-extend: only the holder of the token may.
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;
const EXTEND = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;

/**
 * A lease in Redis: `SET key token NX PX ttl`. Released (or extended) only
 * by its owner, checked atomically against the token; if the owner dies the
 * lease simply expires.
 */
export class RedisLock {
  private constructor(
    private readonly redis: RedisClient,
    readonly key: string,
    readonly token: string,
    private readonly ttlMs: number,
  ) {}

  /** The lock, or null when another owner holds it. */
  static async acquire(redis: RedisClient, key: string, ttlMs: number): Promise<RedisLock | null> {
    const token = randomUUID();
    const ok = await redis.set(key, token, 'PX', Math.ceil(ttlMs), 'NX');
    return ok === 'OK' ? new RedisLock(redis, key, token, ttlMs) : null;
  }

  /** Renews the lease; false when it was lost (expired and maybe taken). */
  async extend(): Promise<boolean> {
    return (await this.redis.eval(EXTEND, 1, this.key, this.token, String(Math.ceil(this.ttlMs)))) === 1;
  }

  /** Releases the lock if still ours; false when it had expired or belongs to someone else. */
  async release(): Promise<boolean> {
    return (await this.redis.eval(RELEASE, 1, this.key, this.token)) === 1;
  }
}
