import { Redis, type RedisOptions } from 'ioredis';

/** How a user hands us Redis: a URL, ioredis options, or a client they own. */
export type RedisConnectionInput = string | RedisOptions | Redis;

export interface OwnedRedis {
  client: Redis;
  /** True when we created the client and must close it. */
  owned: boolean;
}

function isRedisClient(value: RedisConnectionInput): value is Redis {
  return value instanceof Redis;
}

/**
 * Opens a client for BullMQ or the engine's own commands. BullMQ workers need
 * `maxRetriesPerRequest: null` (blocking commands must not time out), so
 * every client we create gets it; an existing client is duplicated with it.
 */
export function openRedis(input: RedisConnectionInput, name: string): OwnedRedis {
  if (isRedisClient(input)) {
    return { client: input.duplicate({ maxRetriesPerRequest: null, connectionName: name }), owned: true };
  }
  if (typeof input === 'string') {
    return { client: new Redis(input, { maxRetriesPerRequest: null, connectionName: name }), owned: true };
  }
  return { client: new Redis({ ...input, maxRetriesPerRequest: null, connectionName: name }), owned: true };
}

/** A description safe to print: host and port, never the password. */
export function describeRedis(input: RedisConnectionInput): string {
  if (isRedisClient(input)) {
    const { host, port, db } = input.options;
    return `redis://${host ?? '127.0.0.1'}:${port ?? 6379}/${db ?? 0} (existing client)`;
  }
  if (typeof input === 'string') {
    try {
      const url = new URL(input);
      return `${url.protocol}//${url.hostname}:${url.port || 6379}${url.pathname && url.pathname !== '/' ? url.pathname : ''}`;
    } catch {
      return 'redis (unparseable URL)';
    }
  }
  return `redis://${input.host ?? '127.0.0.1'}:${input.port ?? 6379}/${input.db ?? 0}`;
}
