import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { describeError } from '../../core/redact';
import { describeRedis } from '../../engine/redis-connection';
import { redisNotAnswering } from '../../engine/redis-messages';
import { ADAPTIVE_POLLING_API_CONFIG, type ResolvedApiConfig } from '../api/api-config';
import { WORKERS_NOT_RUNNING, redisUnreachable, timedOut, tooManyDeadLetters } from '../api/api-messages';
import type { AdaptivePollingHealthIndicatorOptions } from '../api/api-options';
import { SchedulerHealthService } from '../api/scheduler-health.service';
import { PollingEngineHost } from '../polling-engine.host';

/** What the indicator reports besides its status. */
export interface AdaptivePollingHealthDetails {
  redis: 'up' | 'down';
  redisLatencyMs: number | null;
  workers: { expected: boolean; running: boolean; concurrency: number };
  /** Dead-lettered targets; null when Redis could not be read. */
  deadLetters: number | null;
  maxDeadLetters: number;
  /**
   * True when more than `maxDeadLetters` targets are dead-lettered: the
   * remote targets are failing, this process is fine, so the status stays up.
   */
  degraded: boolean;
  /** Why it is degraded (never a reason to restart the process); absent when not. */
  warnings?: string[];
  /** Why it is down; absent when up. */
  problems?: string[];
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(timedOut(what, ms))), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * A @nestjs/terminus health indicator: down when Redis does not answer PING
 * or when this process should run polls but its worker is not running.
 * Dead-lettered targets never make it down (a probe would restart healthy
 * replicas because remote targets fail): above `maxDeadLetters` it stays up
 * with `degraded: true` and a warning.
 *
 * Add it to the providers of a module that imports `TerminusModule` and
 * `AdaptivePollingModule`, then:
 * `health.check([() => indicator.isHealthy('adaptivePolling')])`.
 */
@Injectable()
export class AdaptivePollingHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly host: PollingEngineHost,
    private readonly schedulerHealth: SchedulerHealthService,
    @Inject(ADAPTIVE_POLLING_API_CONFIG) private readonly apiConfig: ResolvedApiConfig,
  ) {}

  async isHealthy<const Key extends string = 'adaptivePolling'>(
    key: Key = 'adaptivePolling' as Key,
    options: AdaptivePollingHealthIndicatorOptions = {},
  ): Promise<HealthIndicatorResult<Key>> {
    const session = this.indicators.check(key);
    const maxDeadLetters = options.maxDeadLetters ?? this.apiConfig.healthIndicator.maxDeadLetters;
    const timeoutMs = options.timeoutMs ?? this.apiConfig.healthIndicator.timeoutMs;
    const { engine, config } = this.host;
    const problems: string[] = [];

    let redis: 'up' | 'down' = 'up';
    let redisLatencyMs: number | null = null;
    const pingStarted = performance.now();
    try {
      // Not queued while disconnected: the PING would wait for Redis's return.
      if (!engine.isRedisReady) throw new Error(redisNotAnswering(describeRedis(config.module.redis)));
      await withTimeout(engine.redis.ping(), timeoutMs, 'Redis PING');
      redisLatencyMs = Math.round((performance.now() - pingStarted) * 10) / 10;
    } catch (error) {
      redis = 'down';
      problems.push(redisUnreachable(describeError(error)));
    }

    const expected = config.module.worker ?? true;
    const running = engine.isWorkerRunning;
    if (expected && !running) problems.push(WORKERS_NOT_RUNNING);

    let deadLetters: number | null = null;
    const warnings: string[] = [];
    if (redis === 'up') {
      try {
        // No page of instances: the count is a fleet-wide figure.
        const health = await withTimeout(this.schedulerHealth.health({ offset: 0, limit: 0 }), timeoutMs, 'reading the dead-letter queue');
        deadLetters = health.deadLetter.count;
        if (deadLetters > maxDeadLetters) warnings.push(tooManyDeadLetters(deadLetters, maxDeadLetters));
      } catch (error) {
        problems.push(describeError(error));
      }
    }

    const details: AdaptivePollingHealthDetails = {
      redis,
      redisLatencyMs,
      workers: { expected, running, concurrency: engine.currentConcurrency },
      deadLetters,
      maxDeadLetters,
      degraded: warnings.length > 0,
      ...(warnings.length > 0 ? { warnings } : {}),
    };
    if (problems.length > 0) return session.down({ ...details, problems });
    return session.up({ ...details });
  }
}
