import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost, ModuleRef } from '@nestjs/core';
import { openRedis, type OwnedRedis } from '../../engine/redis-connection';
import type { PollFinishedEvent } from '../../engine/engine-events';
import { ADAPTIVE_POLLING_API_CONFIG, type ResolvedApiConfig } from '../api/api-config';
import { MonitoringActionsService } from '../api/monitoring-actions.service';
import { SchedulerHealthService } from '../api/scheduler-health.service';
import { TargetsService } from '../api/targets.service';
import { AuditTrailService } from '../audit/audit-trail.service';
import type { BoardAccess } from '../bull-board/bull-board-auth';
import { PollingEngineHost } from '../polling-engine.host';
import { ADAPTIVE_POLLING_CONFIG, type ResolvedModuleConfig } from '../resolved-config';
import { ConsoleHandler } from './console-handler';
import { ConsoleLive } from './console-live';
import {
  CONSOLE_GUARD_UNSUPPORTED,
  CONSOLE_NEEDS_EXPRESS,
  CONSOLE_NEEDS_POLLING_MODULE,
  CONSOLE_WITHOUT_AUTH_WARNING,
  consoleServed,
} from './console-messages';
import type { ResolvedConsoleOptions } from './console-options';
import { ConsoleSessionStore } from './console-session';
import { FleetReader } from './fleet-reader';
import { historyKey, historyPoint, PollHistoryStore } from './poll-history';

export const CONSOLE_OPTIONS = Symbol('ADAPTIVE_POLLING_CONSOLE_OPTIONS');

/** The console cannot start as configured. */
export class ConsoleConfigError extends Error {
  override readonly name = 'ConsoleConfigError';
}

interface ExpressLike {
  use(path: string, handler: ConsoleHandler['handle']): unknown;
}

/**
 * Mounts the console on the app's Express instance at module init (after
 * the app's routes, before Nest's not-found handler), keeps each poll's
 * outcome in the capped history, and closes its streams and Redis
 * connection at shutdown.
 */
@Injectable()
export class PollingConsoleService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('AdaptivePollingConsole');
  private redis: OwnedRedis | null = null;
  private live: ConsoleLive | null = null;
  private unlisten: (() => void) | null = null;

  constructor(
    private readonly moduleRef: ModuleRef,
    private readonly adapterHost: HttpAdapterHost,
    @Inject(CONSOLE_OPTIONS) private readonly options: ResolvedConsoleOptions,
  ) {}

  onModuleInit(): void {
    const config = this.find<ResolvedModuleConfig>(ADAPTIVE_POLLING_CONFIG);
    const api = this.find<ResolvedApiConfig>(ADAPTIVE_POLLING_API_CONFIG);
    const health = this.find(SchedulerHealthService);
    const host = this.find(PollingEngineHost);
    if (!config || !api || !health || !host || !api.routes.served) throw new ConsoleConfigError(CONSOLE_NEEDS_POLLING_MODULE);
    const access = this.access(api);
    const app = this.adapterHost.httpAdapter?.getInstance<Partial<ExpressLike>>();
    if (typeof app?.use !== 'function') throw new ConsoleConfigError(CONSOLE_NEEDS_EXPRESS);

    const redis = openRedis(config.module.redis, 'adaptive-polling:console');
    this.redis = redis;
    const base = `${config.prefix}:${config.queueName}:ap:console`;
    const history = new PollHistoryStore(redis.client, (target) => historyKey(config.prefix, config.queueName, target));
    const reader = new FleetReader(health);
    const live = new ConsoleLive(reader, (error) => this.logger.warn(`live update failed: ${message(error)}`));
    this.live = live;

    const onPoll = (event: PollFinishedEvent) => {
      history.append(event.key, historyPoint(event, config.clock())).catch((error: unknown) => {
        this.logger.warn(`poll history not written for ${event.key}: ${message(error)}`);
      });
    };
    host.engine.events.on('poll:finished', onPoll);
    this.unlisten = () => host.engine.events.off('poll:finished', onPoll);

    const handler = new ConsoleHandler({
      options: this.options,
      access,
      sessions: new ConsoleSessionStore(redis.client, `${base}:session:`, this.options.sessionTtlMs),
      reader,
      live,
      history,
      actions: this.moduleRef.get(MonitoringActionsService, { strict: false }),
      targets: this.moduleRef.get(TargetsService, { strict: false }),
      audit: this.moduleRef.get(AuditTrailService, { strict: false }),
      clock: config.clock,
    });
    app.use(this.options.path || '/', handler.handle);
    const auth = access.kind === 'open' ? 'no authentication (api.auth: false)' : 'sign-in form or HTTP Basic with the API token';
    this.logger.log(consoleServed(this.options.path, auth));
  }

  beforeApplicationShutdown(): void {
    this.unlisten?.();
    this.live?.close();
    if (this.redis?.owned) this.redis.client.disconnect();
    this.unlisten = null;
    this.live = null;
    this.redis = null;
  }

  private access(api: ResolvedApiConfig): BoardAccess {
    const { auth } = api;
    // The API's failure count: guesses here and on the API's routes add up.
    if (auth.mode === 'token') return { kind: 'secret', matches: (candidate) => auth.matchesToken(candidate), failures: api.authFailures };
    if (auth.mode === 'none') {
      this.logger.warn(CONSOLE_WITHOUT_AUTH_WARNING);
      return { kind: 'open' };
    }
    throw new ConsoleConfigError(CONSOLE_GUARD_UNSUPPORTED);
  }

  private find<T>(token: symbol | (abstract new (...args: never[]) => T)): T | null {
    try {
      return this.moduleRef.get<T>(token, { strict: false });
    } catch {
      return null;
    }
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
