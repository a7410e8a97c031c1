import { describeRedis } from '../engine/redis-connection';
import { redisNotAnswering } from '../engine/redis-messages';
import type { PollingEngineHost } from './polling-engine.host';

/** How long health, management and metrics requests wait for Redis or the database before answering 503, by default. */
export const DEFAULT_ANSWER_TIMEOUT_MS = 2_000;

/** Redis or the database did not answer: the request is answered 503 with this message. */
export class DependencyUnavailableError extends Error {
  override readonly name = 'DependencyUnavailableError';
}

export function answerTimedOut(ms: number): string {
  return `Redis or the database did not answer within ${ms} ms; try again later`;
}

/** Why a request cannot be served now (Redis not connected), or null: answered at once, nothing is queued for later. */
export function unavailableNow(host: PollingEngineHost): string | null {
  if (host.engine.isRedisReady) return null;
  return `${redisNotAnswering(describeRedis(host.config.module.redis))}; try again later`;
}

/** The work's result, or DependencyUnavailableError when Redis is down now or the work takes longer than `ms`. */
export async function withinAnswerBound<T>(host: PollingEngineHost, ms: number, work: () => Promise<T>): Promise<T> {
  const reason = unavailableNow(host);
  if (reason) throw new DependencyUnavailableError(reason);
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DependencyUnavailableError(answerTimedOut(ms))), ms);
  });
  const running = work();
  running.catch(() => undefined);
  try {
    return await Promise.race([running, bound]);
  } finally {
    clearTimeout(timer);
  }
}
