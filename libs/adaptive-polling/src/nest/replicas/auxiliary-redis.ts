import type { Logger } from '@nestjs/common';
import { closeRedis, openRedis, type OwnedRedis, type RedisConnectionInput } from '../../engine/redis-connection';

export { SHUTDOWN_REDIS_BOUND_MS, withinBound } from '../../engine/redis-connection';

/**
 * A Redis connection of its own for a side task (heartbeats, poll figures),
 * so it can outlive the engine's during shutdown. Outages are logged once
 * when they start and once when they end.
 */
export function openAuxiliaryRedis(input: RedisConnectionInput, name: string, logger: Logger): OwnedRedis {
  return openRedis(input, name, logger);
}

/** Closes politely when Redis answers, at once otherwise. */
export async function closeAuxiliaryRedis(redis: OwnedRedis | null): Promise<void> {
  await closeRedis(redis);
}
