import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { BULL_BOARD_INSTANCE, type BullBoardInstance } from '@bull-board/nestjs';
import { Queue } from 'bullmq';
import { describeRedis, isClusterInput, isRedisReady, logUnlessOutage, openRedis, type OwnedRedis } from '../../engine/redis-connection';
import { redisNotAnswering } from '../../engine/redis-messages';
import { pollQueueOptions } from '../../engine/poll-queue-options';
import { shardQueueNames } from '../../engine/shard-queues';
import { ADAPTIVE_POLLING_API_CONFIG, moduleEnvironment, resolveApiConfig, type ResolvedApiConfig } from '../api/api-config';
import { ADAPTIVE_POLLING_CONFIG, type ResolvedModuleConfig } from '../resolved-config';
import { AuthFailureLimiter } from '../../core/auth-failure-limiter';
import { TokenMatcher } from '../token-matcher';
import { tokenProblem } from '../token-rules';
import { BullBoardAuthGate, type BoardAccess } from './bull-board-auth';
import {
  BOARD_GUARD_NEEDS_TOKEN,
  BOARD_NEEDS_TOKEN_WITHOUT_API,
  BOARD_NEEDS_POLLING_MODULE,
  BOARD_WITHOUT_AUTH_WARNING,
  boardConfigSummary,
  boardServed,
  boardTokenInvalid,
} from './bull-board-messages';
import { pollJobDataFormatter } from './poll-job-view';
import { PollingQueueAdapter } from './polling-queue-adapter';
import { DEFAULT_BULL_BOARD_ROUTE, type AdaptivePollingBullBoardOptions } from './bull-board-options';

export const BULL_BOARD_GATE = Symbol('ADAPTIVE_POLLING_BULL_BOARD_GATE');
export const BULL_BOARD_OPTIONS = Symbol('ADAPTIVE_POLLING_BULL_BOARD_OPTIONS');

/** How long shutdown waits for the board's queue to close (it hangs while Redis is unreachable). */
const QUEUE_CLOSE_BOUND_MS = 2_000;

async function boundedWait(work: Promise<unknown>, boundMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, boundMs);
    timer.unref();
  });
  await Promise.race([work.catch(() => undefined), bound]);
  clearTimeout(timer);
}

/** Bull Board cannot start as configured. Never contains the token. */
export class BullBoardConfigError extends Error {
  override readonly name = 'BullBoardConfigError';
  constructor(readonly problems: string[]) {
    super(boardConfigSummary(problems));
  }
}

/**
 * Puts the polling queues (one per shard) on the board and sets who may see
 * it. The board gets Queue objects of its own (same name, prefix and Redis as the
 * engine's), opened at module init: it does not wait for the engine to
 * start, and works in an API-only process too.
 */
@Injectable()
export class PollingQueueBoard implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('AdaptivePollingBullBoard');
  private redis: OwnedRedis | null = null;
  private queues: Queue[] = [];

  constructor(
    private readonly moduleRef: ModuleRef,
    @Inject(BULL_BOARD_INSTANCE) private readonly board: BullBoardInstance,
    @Inject(BULL_BOARD_GATE) private readonly gate: BullBoardAuthGate,
    @Inject(BULL_BOARD_OPTIONS) private readonly options: AdaptivePollingBullBoardOptions,
  ) {}

  /** The first (shard 0's) queue shown (null before init). */
  get polledQueue(): Queue | null {
    return this.queues[0] ?? null;
  }

  onModuleInit(): void {
    const config = this.find<ResolvedModuleConfig>(ADAPTIVE_POLLING_CONFIG);
    if (!config) throw new BullBoardConfigError([BOARD_NEEDS_POLLING_MODULE]);
    const { access, description } = this.resolveAccess(config);
    this.gate.configure(access, () =>
      this.redis && !isRedisReady(this.redis.client) ? redisNotAnswering(describeRedis(config.module.redis)) : null,
    );

    const readOnly = this.options.readOnly ?? true;
    const redis = openRedis(config.module.redis, 'adaptive-polling:bull-board', this.logger);
    this.redis = redis;
    // Every shard's queue (one with the default `shards: 1`), named as the engine names them.
    const names = shardQueueNames(config.prefix, config.queueName, config.shards, isClusterInput(config.module.redis));
    for (const [shard, name] of names.entries()) {
      const queue = new Queue(name, pollQueueOptions(redis.client, config.prefix));
      queue.on('error', (error) => logUnlessOutage(redis.client, (m) => this.logger.error(m), 'queue error', error));
      this.queues.push(queue);
      const adapter = new PollingQueueAdapter(queue, {
        readOnlyMode: readOnly,
        description:
          names.length === 1
            ? 'Adaptive polling: one delayed job per target'
            : `Adaptive polling, shard ${shard} of ${names.length}: one delayed job per target of this shard`,
      });
      adapter.setFormatter('data', pollJobDataFormatter(config.clock));
      this.board.addQueue(adapter);
    }
    this.logger.log(boardServed(this.options.route ?? DEFAULT_BULL_BOARD_ROUTE, names.join(', '), readOnly, description));
  }

  /**
   * Closes the board's queue and connection before any shutdown hook of the
   * app runs (one may stop Redis itself, as the demo's does): a read-only
   * view has nothing to flush, so the connection is dropped, not quit.
   */
  async beforeApplicationShutdown(): Promise<void> {
    const queues = this.queues;
    const redis = this.redis;
    this.queues = [];
    this.redis = null;
    await boundedWait(Promise.all(queues.map((queue) => queue.close())), QUEUE_CLOSE_BOUND_MS);
    if (redis?.owned) redis.client.disconnect();
  }

  private resolveAccess(config: ResolvedModuleConfig): { access: BoardAccess; description: string } {
    const own = this.options.token;
    const wiredApi = this.find<ResolvedApiConfig>(ADAPTIVE_POLLING_API_CONFIG);
    if (own !== undefined) {
      const problem = tokenProblem(own);
      if (problem) throw new BullBoardConfigError([boardTokenInvalid(problem)]);
      const matcher = new TokenMatcher(own);
      // Failures count with the API's, so guessing on both surfaces does not double the tries.
      const failures = wiredApi?.authFailures ?? new AuthFailureLimiter();
      return { access: { kind: 'secret', matches: (c) => matcher.matches(c), failures }, description: 'HTTP Basic with the board token' };
    }
    // The API's resolved authentication when the API is wired, else the same rules on the module's options.
    const api = wiredApi ?? resolveApiConfig(config.module.api === false ? {} : config.module.api, moduleEnvironment(config.module));
    const { auth, authFailures } = api;
    if (!api.routes.served) throw new BullBoardConfigError([BOARD_NEEDS_TOKEN_WITHOUT_API]);
    if (auth.mode === 'token') {
      return {
        access: { kind: 'secret', matches: (c) => auth.matchesToken(c), failures: authFailures },
        description: `HTTP Basic with the API token as the password (${auth.tokenSource})`,
      };
    }
    if (auth.mode === 'none') {
      this.logger.warn(BOARD_WITHOUT_AUTH_WARNING);
      return { access: { kind: 'open' }, description: 'no authentication (api.auth: false)' };
    }
    throw new BullBoardConfigError([BOARD_GUARD_NEEDS_TOKEN]);
  }

  private find<T>(token: symbol): T | null {
    try {
      return this.moduleRef.get<T>(token, { strict: false });
    } catch {
      return null;
    }
  }
}
