import { describeError } from '../../../core/redact';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { PollFinishedEvent } from '../../../engine/engine-events';
import type { OwnedRedis } from '../../../engine/redis-connection';
import { isRedisReady } from '../../../engine/redis-connection';
import { closeAuxiliaryRedis, openAuxiliaryRedis, withinBound } from '../../replicas/auxiliary-redis';
import type { PollingEngineHost } from '../../polling-engine.host';
import { durationBucket } from './duration-histogram';
import { hourStartOf, rollupKeys, ROLLUP_VERSION_FIELD, type RollupKeys } from './rollup-keys';
import { PollingModuleRefs } from '../../polling-module-refs';

/** An hour's figures stay in Redis this long after the last write, so a database outage of days loses nothing. */
export const ROLLUP_HOUR_TTL_SECONDS = 7 * 24 * 3600;

/**
 * One poll into its hour's figures, atomically. Staleness: a failed poll
 * reports how old the target's data is (from the state's last success); a
 * successful one is compared with the last success recorded here, which any
 * replica may have written (a target's polls never overlap, so they arrive
 * in order).
 */
const RECORD_POLL = `
local h, t = KEYS[1], ARGV[1]
redis.call('HINCRBY', h, t .. '|p', 1)
if ARGV[5] == '0' then redis.call('HINCRBY', h, t .. '|f', 1) end
if ARGV[6] == '1' then redis.call('HINCRBY', h, t .. '|c', 1) end
redis.call('HINCRBY', h, t .. '|b' .. ARGV[7], 1)
redis.call('HSETNX', h, t .. '|t', ARGV[2])
local d = tonumber(ARGV[8])
local dmax = tonumber(redis.call('HGET', h, t .. '|m') or '-1')
if d > dmax then redis.call('HSET', h, t .. '|m', ARGV[8]) end
local at = tonumber(ARGV[4])
local stale = tonumber(ARGV[9])
local prev = tonumber(redis.call('HGET', KEYS[2], t) or '-1')
if ARGV[5] == '1' and prev >= 0 and at > prev then stale = at - prev end
local known = tonumber(ARGV[11])
if known > prev then redis.call('HSET', KEYS[2], t, ARGV[11]) end
if stale >= 0 then
  local s = tonumber(redis.call('HGET', h, t .. '|s') or '-1')
  if stale > s then redis.call('HSET', h, t .. '|s', tostring(stale)) end
end
redis.call('HINCRBY', h, '${ROLLUP_VERSION_FIELD}', 1)
redis.call('EXPIRE', h, tonumber(ARGV[10]))
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[3])
return 1
`;

const RECORD_POLL_COMMAND = 'adaptivePollingRecordPoll';
/** Figures waiting for Redis beyond this are not recorded (Redis is down; so is polling). */
const MAX_IN_FLIGHT = 1_000;

/**
 * Adds every poll this process finishes to its target's hourly figures in
 * Redis (one small script per poll, not awaited by the poll). The rollup
 * flush task turns them into database rows.
 */
@Injectable()
export class PollRollupRecorder implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('AdaptivePollingPersistence');
  private ownKeys: RollupKeys | null = null;
  private redis: OwnedRedis | null = null;
  private readonly inFlight = new Set<Promise<unknown>>();
  private failing = false;
  private readonly listener = (event: PollFinishedEvent) => this.record(event);

  private get host(): PollingEngineHost {
    return this.refs.host;
  }

  constructor(private readonly refs: PollingModuleRefs) {}

  /** This app's rollup keys in Redis. */
  get keys(): RollupKeys {
    this.ownKeys ??= rollupKeys(this.host.config.prefix, this.host.config.queueName);
    return this.ownKeys;
  }

  onModuleInit(): void {
    this.host.engine.events.on('poll:finished', this.listener);
  }

  onApplicationBootstrap(): void {
    this.redis = openAuxiliaryRedis(this.host.config.module.redis, 'adaptive-polling:rollups', this.logger);
    // EVALSHA with a fallback to EVAL: the script is sent once per connection.
    this.redis.client.defineCommand(RECORD_POLL_COMMAND, { numberOfKeys: 3, lua: RECORD_POLL });
  }

  async onApplicationShutdown(): Promise<void> {
    // After the engine stopped: every poll's figures are on their way.
    this.host.engine.events.off('poll:finished', this.listener);
    // With Redis gone the figures cannot land: no wait.
    if (this.redis && isRedisReady(this.redis.client)) await withinBound(Promise.allSettled([...this.inFlight]));
    const redis = this.redis;
    this.redis = null;
    await closeAuxiliaryRedis(redis);
  }

  /** Waits until every figure sent so far has reached Redis (tests, shutdown). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  private record(event: PollFinishedEvent): void {
    const redis = this.redis;
    // While Redis is unreachable commands queue up: stop adding beyond a bound.
    if (!redis || this.inFlight.size >= MAX_IN_FLIGHT) return;
    const atMs = this.host.config.clock();
    const hourStartMs = hourStartOf(atMs);
    const lastSuccessAtMs = event.decision.state.lastSuccessAtMs;
    const failureStaleMs = !event.success && lastSuccessAtMs !== null ? Math.max(0, atMs - lastSuccessAtMs) : -1;
    const durationMs = Math.max(0, event.durationMs);
    const client = redis.client as unknown as Record<typeof RECORD_POLL_COMMAND, (...args: string[]) => Promise<unknown>>;
    const sent = client[RECORD_POLL_COMMAND](
      this.keys.hour(hourStartMs),
      this.keys.lastSuccess,
      this.keys.hours,
      event.key,
      event.type,
      String(hourStartMs),
      String(atMs),
      event.success ? '1' : '0',
      event.changed === true ? '1' : '0',
      String(durationBucket(durationMs)),
      String(durationMs),
      String(failureStaleMs),
      String(ROLLUP_HOUR_TTL_SECONDS),
      String(lastSuccessAtMs ?? -1),
    ).then(
      () => {
        this.failing = false;
      },
      (error: unknown) => {
        if (!this.failing) {
          this.logger.warn(`poll figures not recorded: ${describeError(error)}`);
        }
        this.failing = true;
      },
    );
    this.inFlight.add(sent);
    void sent.finally(() => this.inFlight.delete(sent));
  }
}
