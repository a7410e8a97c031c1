import type { RedisClient } from '../../engine/redis-connection';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { describeError } from '../../core/redact';
import { PollingEngineHost } from '../polling-engine.host';
import { ADAPTIVE_POLLING_HOUSEKEEPING_OPTIONS, type ResolvedHousekeepingOptions } from './housekeeping-options';
import type { HousekeepingOutcome, HousekeepingRunEvent, HousekeepingTask } from './housekeeping-task';
import { RedisLock } from './redis-lock';

/** After a run, other replicas skip the task for this share of its period. */
const THROTTLE_SHARE = 0.9;
/** Shutdown waits this long for a running task. */
const SHUTDOWN_WAIT_MS = 5_000;

/**
 * Runs housekeeping tasks on every replica's timer, but each run under a
 * Redis lock (SET NX PX with a token, renewed while it runs, released only by
 * its owner), and at most about once per period across replicas.
 *
 * Timers are plain unref'd intervals owned by this service (one set per app),
 * so the host's own scheduler, if any, is left alone.
 */
@Injectable()
export class HousekeepingService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('AdaptivePollingHousekeeping');
  readonly events = new EventEmitter<{ run: [HousekeepingRunEvent] }>();
  private readonly tasks = new Map<string, HousekeepingTask>();
  private readonly running = new Map<string, Promise<HousekeepingOutcome>>();
  private readonly timers = new Map<string, { name: string; interval: NodeJS.Timeout }>();
  private readonly instanceId = randomUUID().slice(0, 8);
  private started = false;

  constructor(
    private readonly host: PollingEngineHost,
    @Inject(ADAPTIVE_POLLING_HOUSEKEEPING_OPTIONS) readonly options: ResolvedHousekeepingOptions,
  ) {}

  /** Adds a task (call from onModuleInit); its timer starts with the app. */
  register(task: HousekeepingTask): void {
    if (this.tasks.has(task.name)) throw new Error(`housekeeping task "${task.name}" is registered twice`);
    this.tasks.set(task.name, task);
    if (this.started) this.startTimer(task);
  }

  taskNames(): string[] {
    return [...this.tasks.keys()].sort();
  }

  /** Names of this app's running timers (queue, task and process in each). */
  timerNames(): string[] {
    return [...this.timers.values()].map((t) => t.name).sort();
  }

  onApplicationBootstrap(): void {
    if (!this.options.enabled) return;
    this.started = true;
    for (const task of this.tasks.values()) this.startTimer(task);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.started = false;
    for (const { interval } of this.timers.values()) clearInterval(interval);
    this.timers.clear();
    const running = [...this.running.values()];
    if (running.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled(running),
      new Promise((r) => {
        timer = setTimeout(r, SHUTDOWN_WAIT_MS);
      }),
    ]);
    clearTimeout(timer);
  }

  /**
   * Runs a task now, still under its lock (so never on two replicas at once)
   * but ignoring the once-per-period throttle.
   */
  runNow(name: string): Promise<HousekeepingOutcome> {
    const task = this.tasks.get(name);
    if (!task) throw new Error(`no housekeeping task "${name}" (known: ${this.taskNames().join(', ') || 'none'})`);
    return this.attempt(task, true);
  }

  private startTimer(task: HousekeepingTask): void {
    const timerName = `adaptive-polling:${this.host.config.queueName}:${task.name}:${this.instanceId}`;
    const interval = setInterval(() => void this.attempt(task, false), task.intervalMs);
    interval.unref();
    this.timers.set(task.name, { name: timerName, interval });
  }

  private attempt(task: HousekeepingTask, force: boolean): Promise<HousekeepingOutcome> {
    // One run per task per process at a time; a timer tick during a run joins it.
    const current = this.running.get(task.name);
    if (current) return current;
    const run = this.runLocked(task, force).finally(() => this.running.delete(task.name));
    this.running.set(task.name, run);
    return run;
  }

  private async runLocked(task: HousekeepingTask, force: boolean): Promise<HousekeepingOutcome> {
    const startedAt = Date.now();
    const report = (outcome: HousekeepingOutcome, result: Record<string, number> | null = null, error: string | null = null) => {
      this.events.emit('run', { task: task.name, outcome, durationMs: Date.now() - startedAt, result, error });
      return outcome;
    };
    const { engine } = this.host;
    if (!engine.bullQueue) return report('not_running');
    let redis: RedisClient;
    let lock: RedisLock | null;
    const lockKey = engine.keys.lock(task.name);
    const throttleKey = `${lockKey}:recent`;
    try {
      redis = engine.redis;
      if (!force && (await redis.exists(throttleKey)) === 1) return report('recent');
      lock = await RedisLock.acquire(redis, lockKey, this.options.lockTtlMs);
    } catch (error) {
      return report('failed', null, this.describe(task, error));
    }
    if (!lock) return report('locked');
    const held = lock;
    const renew = setInterval(
      () => {
        held.extend().then(
          (ok) => {
            if (!ok) this.logger.warn(`housekeeping: task "${task.name}" lost its lock while running`);
          },
          () => undefined,
        );
      },
      Math.max(100, this.options.lockTtlMs / 3),
    );
    renew.unref();
    try {
      const result = (await task.run()) ?? null;
      await redis.set(throttleKey, String(Date.now()), 'PX', Math.max(1, Math.floor(task.intervalMs * THROTTLE_SHARE)));
      return report('ran', result);
    } catch (error) {
      return report('failed', null, this.describe(task, error));
    } finally {
      clearInterval(renew);
      await held.release().catch(() => false);
    }
  }

  private describe(task: HousekeepingTask, error: unknown): string {
    const message = describeError(error);
    this.logger.warn(`housekeeping: task "${task.name}" failed: ${message}`);
    return message;
  }
}
