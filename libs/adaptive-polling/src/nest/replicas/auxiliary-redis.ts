import type { Logger } from '@nestjs/common';
import { openRedis, type OwnedRedis, type RedisConnectionInput } from '../../engine/redis-connection';

/** Shutdown never waits longer than this for Redis (it may be gone already). */
export const SHUTDOWN_REDIS_BOUND_MS = 2_000;

/**
 * A Redis connection of its own for a side task (heartbeats, poll figures),
 * so it can outlive the engine's during shutdown. Connection errors are
 * logged once per outage instead of surfacing as unhandled error events.
 */
export function openAuxiliaryRedis(input: RedisConnectionInput, name: string, logger: Logger): OwnedRedis {
  const redis = openRedis(input, name);
  let failing = false;
  redis.client.on('error', (error: Error) => {
    if (!failing) logger.warn(`${name}: Redis connection error: ${error.message}`);
    failing = true;
  });
  redis.client.on('ready', () => {
    failing = false;
  });
  return redis;
}

/** Resolves with the promise's value, or undefined after `ms` (the promise is left to settle on its own). */
export async function withinBound<T>(promise: Promise<T>, ms = SHUTDOWN_REDIS_BOUND_MS): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise, bound]);
  } finally {
    clearTimeout(timer);
  }
}

/** Closes politely when Redis answers, at once otherwise. */
export async function closeAuxiliaryRedis(redis: OwnedRedis | null): Promise<void> {
  if (!redis?.owned) return;
  const closed = await withinBound(
    redis.client.quit().then(
      () => true,
      () => false,
    ),
  );
  if (!closed) redis.client.disconnect();
}
