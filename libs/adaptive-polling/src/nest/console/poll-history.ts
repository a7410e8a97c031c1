import type { RedisClient } from '../../engine/redis-connection';
import type { PollFinishedEvent } from '../../engine/engine-events';

/** One poll as the target page charts it. */
export interface HistoryPoint {
  /** When the poll finished (epoch ms). */
  at: number;
  /** The delay chosen after it (ms). */
  interval: number;
  outcome: 'changed' | 'unchanged' | 'failed';
}

/** Polls kept per target, and how long a target's list outlives its last poll. */
export const HISTORY_LENGTH = 500;
const HISTORY_TTL_MS = 7 * 24 * 3_600_000;

export function historyKey(prefix: string, queueName: string, target: string): string {
  return `${prefix}:${queueName}:ap:console:history:${target}`;
}

export function historyPoint(event: PollFinishedEvent, at: number): HistoryPoint {
  const outcome = !event.success ? 'failed' : event.changed ? 'changed' : 'unchanged';
  return { at, interval: event.decision.delayMs, outcome };
}

/**
 * A capped list per target in Redis, so every replica's polls land in one
 * history and a restart keeps it: appended after each poll, trimmed to the
 * last HISTORY_LENGTH.
 */
export class PollHistoryStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keyOf: (target: string) => string,
  ) {}

  async append(target: string, point: HistoryPoint): Promise<void> {
    const key = this.keyOf(target);
    await this.redis.multi().rpush(key, JSON.stringify(point)).ltrim(key, -HISTORY_LENGTH, -1).pexpire(key, HISTORY_TTL_MS).exec();
  }

  /** Oldest first; entries that do not parse are left out. */
  async read(target: string): Promise<HistoryPoint[]> {
    const raw = await this.redis.lrange(this.keyOf(target), 0, -1);
    const points: HistoryPoint[] = [];
    for (const text of raw) {
      try {
        const p = JSON.parse(text) as HistoryPoint;
        if (typeof p.at === 'number' && typeof p.interval === 'number') points.push(p);
      } catch {
        // A foreign entry: not charted.
      }
    }
    return points;
  }
}
