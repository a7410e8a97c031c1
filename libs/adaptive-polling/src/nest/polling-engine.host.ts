import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { PollingEngine } from '../engine/polling-engine';
import type { PollHandler } from '../engine/poll-handler';
import type { TargetPollState } from '../core/types';
import { targetKey, type TargetDefinition } from '../core/target';
import { ADAPTIVE_POLLING_CONFIG, type ResolvedModuleConfig } from './resolved-config';
import { PollerExplorer } from './poller.explorer';
import { POLLING_STARTED_LATE, POLLING_WAITS_FOR_REDIS, PollingStartupError, pollingStartFailed } from './polling-startup.error';
import { describeError } from '../core/redact';

/** Something that can hand a fresh job its state back (the persistence layer's dead letters). */
export interface StateRecoverySource {
  recoverState(key: string): Promise<TargetPollState | null>;
}

/**
 * Owns this app's engine: builds it, fills its pollers once discovery has
 * run, starts it at bootstrap and stops it gracefully at shutdown. One per
 * module instance, so two apps in one process never share anything.
 */
@Injectable()
export class PollingEngineHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('AdaptivePolling');
  private readonly handlers = new Map<string, PollHandler>();
  private recovery: StateRecoverySource | null = null;
  private readonly targetSources: Array<() => Promise<TargetDefinition[]>> = [];
  private readonly startup: { promise: Promise<void>; resolve: () => void };
  readonly engine: PollingEngine;
  /** Targets the engine started with (static and stored ones); null before bootstrap. */
  startupTargetCount: number | null = null;
  private stopping = false;

  constructor(
    @Inject(ADAPTIVE_POLLING_CONFIG) readonly config: ResolvedModuleConfig,
    private readonly explorer: PollerExplorer,
  ) {
    let resolve = () => {};
    const promise = new Promise<void>((r) => (resolve = r));
    this.startup = { promise, resolve };
    this.engine = new PollingEngine({
      connection: config.module.redis,
      queueName: config.queueName,
      prefix: config.prefix,
      shards: config.shards,
      options: config.polling,
      policies: config.policies,
      handlers: this.handlers,
      classifier: config.module.classifier,
      concurrency: config.module.concurrency,
      globalConcurrency: config.module.globalConcurrency ?? null,
      stalledIntervalMs: config.stalledIntervalMs,
      shutdownGraceMs: config.shutdownGraceMs,
      reconcileIntervalMs: config.reconcileIntervalMs,
      runWorker: config.module.worker ?? true,
      clock: config.clock,
      random: config.random,
      logger: this.logger,
      recoverState: (key) => this.recovery?.recoverState(key) ?? Promise.resolve(null),
    });
  }

  /** Lets the persistence layer restore dead letters into re-created jobs. */
  setStateRecovery(source: StateRecoverySource): void {
    this.recovery = source;
  }

  /**
   * Adds targets kept elsewhere (the database's run-time targets) to the
   * start-up set. Call before bootstrap, e.g. from onModuleInit.
   */
  addTargetSource(source: () => Promise<TargetDefinition[]>): void {
    this.targetSources.push(source);
  }

  async onApplicationBootstrap(): Promise<void> {
    for (const [type, handler] of this.explorer.discover()) this.handlers.set(type, handler);
    const byKey = new Map(this.config.targets.map((t) => [targetKey(t), t]));
    for (const source of this.targetSources) {
      for (const def of await source()) {
        const configured = byKey.get(targetKey(def));
        // A stored copy of a configured target brings back only its run-time pause.
        byKey.set(targetKey(def), configured ? { ...configured, paused: def.paused } : def);
      }
    }
    const targets = [...byKey.values()];
    const unknown = targets.filter((t) => !this.handlers.has(t.type));
    if (unknown.length > 0) {
      const known = [...this.handlers.keys()].sort().join(', ') || '(none)';
      throw new PollingStartupError(
        unknown.map((t) => `target "${t.type}::${t.name}" has type "${t.type}", which no @Poller handles (known types: ${known})`),
      );
    }
    this.startupTargetCount = targets.length;
    const starting = this.engine.start(targets);
    const first = await Promise.race([starting.then(() => 'started' as const), this.firstConnectionError()]);
    if (first === 'started') {
      this.startup.resolve();
      return;
    }
    // Redis is unreachable: the app starts anyway (health answers 503) and polling begins once Redis answers.
    this.logger.warn(POLLING_WAITS_FOR_REDIS);
    starting.then(
      () => {
        this.logger.log(POLLING_STARTED_LATE);
        this.startup.resolve();
      },
      (error: unknown) => {
        if (!this.stopping) this.logger.error(pollingStartFailed(describeError(error)));
      },
    );
  }

  /** Resolves when the engine's first connection attempt fails (never when it succeeds). */
  private firstConnectionError(): Promise<'unreachable'> {
    const client = this.engine.redis;
    return new Promise((resolve) => {
      const onError = () => {
        client.off('ready', onReady);
        resolve('unreachable');
      };
      const onReady = () => client.off('error', onError);
      client.once('error', onError);
      client.once('ready', onReady);
    });
  }

  /**
   * Resolves once the engine has started (never, when start-up failed):
   * for integration modules whose bootstrap hooks may run before this one.
   */
  started(): Promise<void> {
    return this.startup.promise;
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.engine.stop();
  }
}
