import { setTimeout as sleep } from 'node:timers/promises';
import { type Queue, Worker, type Job } from 'bullmq';
import { normaliseTarget, targetKey, validateTargetInput, type TargetDefinition, type TargetInput } from '../core/target';
import type { OperatorAction } from '../core/operator-actions';
import { optionsForType } from '../core/options';
import { DEFAULT_MAX_STALL_RECOVERIES } from '../core/dead-letter';
import type { PolicyRegistry } from '../core/policies/registry';
import type { Clock, FailureClassifier, RandomSource, ResolvedPollingOptions, TargetPollState } from '../core/types';
import { describeError } from '../core/redact';
import { EngineEvents } from './engine-events';
import { engineKeys, jobIdForTarget, targetKeyOfJobId, type EngineKeys } from './engine-keys';
import { FleetAggregates, type FleetAggregateRead, type FleetLists, type TypeAggregate } from './fleet-aggregates';
import { EngineInputError, TargetConflictError, TargetNotFoundError } from './engine-errors';
import { JOB_READ_CHUNK, readJobDataAndLock } from './job-snapshot-read';
import { jobKeyOf, lockKeyOf, wakeWorkerOnTime } from './bullmq-internals';
import { OperatorQueue, type PendingActionsWhere } from './operator-queue';
import type { PollHandler } from './poll-handler';
import { PAUSED_DELAY_MS, PollProcessor, type PollJobData } from './poll-processor';
import { encodeJobData, targetStateFromJobData } from './job-state-codec';
import { encodeQueuedAction } from './queued-action';
import {
  SHUTDOWN_REDIS_BOUND_MS,
  closeRedis,
  isClusterInput,
  isRedisReady,
  logUnlessOutage,
  openRedis,
  withinBound,
  type OwnedRedis,
  type RedisClient,
  type RedisConnectionInput,
} from './redis-connection';
import { TargetStore } from './target-store';
import { ShardRouter } from './shard-router';
import { ShardRehoming, readShardLayout } from './shard-rehoming';
import { shardNamingProblem, shardQueueNames } from './shard-queues';
import { ShardWatchdog } from './shard-watchdog';
import { DEFAULT_SHARDS } from '../core/shards';

export interface EngineLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface PollingEngineConfig {
  connection: RedisConnectionInput;
  queueName: string;
  prefix: string;
  /** BullMQ queues the schedule is split over (default 1); every worker process works every one. */
  shards?: number;
  options: ResolvedPollingOptions;
  policies: PolicyRegistry;
  handlers: ReadonlyMap<string, PollHandler>;
  classifier?: FailureClassifier;
  /** Per-process worker concurrency; default min(targets, 10). */
  concurrency?: number;
  /** Cap across every process (BullMQ global concurrency); null = none. */
  globalConcurrency?: number | null;
  /** BullMQ lock and stalled-check period: a crashed replica's poll is retaken within about 2x this. */
  stalledIntervalMs: number;
  /** How long a shutdown waits for running polls before aborting them. */
  shutdownGraceMs: number;
  /** How often each replica checks that every target has its job. */
  reconcileIntervalMs: number;
  /** False for a producer-only process that serves the API but runs no polls. */
  runWorker: boolean;
  clock: Clock;
  random: RandomSource;
  logger: EngineLogger;
  /** Stall recoveries in a row (a poll that kills its process) that park a target; default 3. */
  maxStallRecoveries?: number;
  /** Recovers state a fresh job should start with (e.g. dead letters from the database). */
  recoverState?: (key: string) => Promise<TargetPollState | null>;
}

/** One target as seen by the API: its definition, shared state and whether a poll is running. */
export interface TargetSnapshot {
  definition: TargetDefinition;
  state: TargetPollState | null;
  running: boolean;
  /** False when the target has no job in Redis (between a flush and the rebuild). */
  scheduled: boolean;
}

interface DefinitionKeys {
  key: string;
  jobKey: string;
}

const DEFAULT_MAX_CONCURRENCY = 10;
/** The actor of calls from the host app's own code (not the API). */
export const CODE_ACTOR = 'code';
const MIN_STALLED_CHECK_MS = 500;
/** A watch of a running job looks again after 10 ms, then backs off to every 250 ms. */
const WATCH_FIRST_PAUSE_MS = 10;
const WATCH_MAX_PAUSE_MS = 250;
const BACKLOG_REFRESH_MS = 2_000;
/** Jobs ensureJobs creates at once (each is two round trips: the job, then its fleet figures). */
const JOB_CREATIONS_IN_FLIGHT = 32;
/** How often every shard is checked for jobs left overdue (see ShardWatchdog). */
const WATCHDOG_INTERVAL_MS = 1_000;
/** A worker's pause after its fetch failed (BullMQ's default is 15 s): a failover takes about as long. */
const WORKER_RETRY_DELAY_MS = 1_000;

/**
 * The BullMQ side of the product: one delayed job per target, shared by every
 * replica, each run deciding the next through the pure core. Framework-free:
 * the Nest layer wires it up, and tests can drive it directly.
 */
export class PollingEngine {
  readonly events = new EngineEvents();
  readonly keys: EngineKeys;
  /** The BullMQ queue's name (shard 0's): the configured one, hash-tagged on a Redis Cluster. */
  readonly queueName: string;
  /** Every shard's BullMQ queue name; shard 0 is `queueName`. */
  readonly shardQueueNames: readonly string[];
  private readonly shutdown = new AbortController();
  private commandRedis!: OwnedRedis;
  private router!: ShardRouter;
  private rehoming!: ShardRehoming;
  /** One worker per shard, each on a connection of its own. */
  private workers: Array<Worker<PollJobData>> = [];
  private workerRedis: OwnedRedis[] = [];
  private targets!: TargetStore;
  private operatorQueue!: OperatorQueue;
  private aggregates!: FleetAggregates;
  private timers: NodeJS.Timeout[] = [];
  /** Background watches of running jobs that have operator actions waiting (see nudge). */
  private readonly watches = new Map<string, Promise<void>>();
  /** listTargets() in key order, kept until the registry's local copy changes. */
  private sortedTargets: { revision: number; defs: TargetDefinition[] } | null = null;
  private orderedKeys: { revision: number; keys: readonly string[] } | null = null;
  private readonly definitionKeys = new WeakMap<TargetDefinition, DefinitionKeys>();
  /** The state last decoded from each job's data (see decodeState). */
  private readonly decodedStates = new Map<string, { raw: string; state: TargetPollState | null }>();
  private backlogFactor = 1;
  private staticTargets: TargetDefinition[] = [];
  private started = false;

  constructor(private readonly config: PollingEngineConfig) {
    const naming = shardNamingProblem(config.prefix, config.queueName, config.shards ?? DEFAULT_SHARDS);
    if (naming) throw new EngineInputError([{ field: 'shards', message: naming }]);
    this.shardQueueNames = shardQueueNames(
      config.prefix,
      config.queueName,
      config.shards ?? DEFAULT_SHARDS,
      isClusterInput(config.connection),
    );
    this.queueName = this.shardQueueNames[0];
    this.keys = engineKeys(config.prefix, this.queueName);
  }

  get redis(): RedisClient {
    return this.commandRedis.client;
  }

  /** Shard 0's queue (the only one when the schedule is not sharded). */
  get bullQueue(): Queue<PollJobData> {
    return this.router?.queues[0];
  }

  /** Where operator-action lists start: one prefix per shard queue (each in its queue's slot on a cluster). */
  opsListPrefixes(): string[] {
    return this.router.opsPrefixes();
  }

  /** The queue of the shard that holds the target's job. */
  queueOfTarget(key: string): Queue<PollJobData> {
    return this.router.queueOf(key);
  }

  get isWorkerRunning(): boolean {
    return this.workers.length > 0 && this.workers.every((worker) => worker.isRunning());
  }

  /** True once start() has finished: the registry is loaded and every job exists. */
  get isStarted(): boolean {
    return this.started;
  }

  /** True while the engine's command connection can reach Redis now. */
  get isRedisReady(): boolean {
    return this.commandRedis !== undefined && isRedisReady(this.commandRedis.client);
  }

  get currentConcurrency(): number {
    return this.workers.reduce((sum, worker) => sum + worker.concurrency, 0);
  }

  async start(staticTargets: TargetDefinition[]): Promise<void> {
    const { config } = this;
    this.commandRedis = openRedis(config.connection, 'adaptive-polling:commands', config.logger);
    this.targets = new TargetStore(this.redis, this.keys);
    // Jobs may still sit in the queues of the shard count they were laid out for: those are opened too.
    const layout = await readShardLayout(this.redis, this.keys.shardLayout);
    const cluster = isClusterInput(config.connection);
    const shards = this.shardQueueNames.length;
    const names = shardQueueNames(config.prefix, config.queueName, Math.max(layout, shards), cluster);
    this.router = new ShardRouter(names, shards, config.prefix, this.redis);
    this.operatorQueue = new OperatorQueue(this.redis, this.router);
    this.rehoming = new ShardRehoming(this.redis, this.router, this.operatorQueue, this.keys.shardLayout, layout, config.clock);
    for (const queue of this.router.allQueues) {
      queue.on('error', (error) => logUnlessOutage(this.redis, (m) => config.logger.error(m), 'queue error', error));
    }
    // Each shard's figures beside its queue, in its slot (shard 0's keys are this.keys).
    const fleetShards = this.router.allQueues.map((queue) => ({
      keys: engineKeys(config.prefix, queue.name),
      activeKey: queue.keys.active,
      jobKey: (id: string) => jobKeyOf(queue, id),
    }));
    this.aggregates = new FleetAggregates(this.redis, fleetShards, (key) => this.router.shardOf(key), targetKeyOfJobId);
    this.staticTargets = staticTargets;

    await this.targets.refresh();
    await this.registerStatic(staticTargets);
    // The cap lives in Redis and outlives the process: a worker started without the option removes
    // it rather than leave an old one behind. A process that runs no polls leaves it alone.
    // BullMQ's cap is per queue: each shard gets its part of it.
    if (config.runWorker) {
      for (const queue of this.router.queues) {
        if (config.globalConcurrency) await queue.setGlobalConcurrency(Math.ceil(config.globalConcurrency / this.router.count));
        else await queue.removeGlobalConcurrency();
      }
    }
    await this.ensureJobs();
    await this.rehomeStep();
    if (!(await this.aggregates.isBuilt())) await this.repairFleetAggregates();

    if (config.runWorker) {
      this.startWorker();
      const watchdog = new ShardWatchdog(this.redis, Date.now);
      this.every(WATCHDOG_INTERVAL_MS, () => this.watchShards(watchdog));
    }
    this.every(config.reconcileIntervalMs, () => this.reconcile());
    this.every(BACKLOG_REFRESH_MS, () => this.measureBacklog());
    this.started = true;
  }

  /**
   * Graceful stop: take no new polls, let running ones finish within the
   * grace period, abort the rest (they go back to the queue untouched), and
   * leave every job in Redis so the schedule survives.
   */
  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    if (this.commandRedis && !this.isRedisReady) await this.stopWithoutRedis();
    else await this.stopGracefully();
    this.started = false;
  }

  private async stopGracefully(): Promise<void> {
    if (this.workers.length > 0) {
      const closing = Promise.all(this.workers.map((worker) => worker.close()));
      let graceTimer: NodeJS.Timeout | undefined;
      const graceOver = new Promise<'grace_over'>((resolve) => {
        graceTimer = setTimeout(() => resolve('grace_over'), this.config.shutdownGraceMs);
      });
      const first = await Promise.race([closing.then(() => 'closed' as const), graceOver]);
      clearTimeout(graceTimer);
      if (first === 'grace_over') {
        this.shutdown.abort();
        // Redis may have gone meanwhile: closing waits for it, so the connection is dropped after the bound.
        if ((await withinBound(closing.then(() => true))) === undefined) for (const redis of this.workerRedis) redis.client.disconnect();
      }
      this.workers = [];
    }
    this.shutdown.abort();
    await withinBound(Promise.allSettled([...this.watches.values()]));
    if (
      this.router &&
      (await withinBound(
        Promise.all(this.router.allQueues.map((queue) => queue.close())).then(() => true),
        SHUTDOWN_REDIS_BOUND_MS,
      )) === undefined
    ) {
      this.commandRedis.client.disconnect();
    }
    await closeRedis(this.commandRedis);
  }

  /** Redis is gone: a running poll cannot write its result, so nothing is waited for; connections are dropped. */
  private async stopWithoutRedis(): Promise<void> {
    this.shutdown.abort();
    const workers = this.workers;
    this.workers = [];
    for (const redis of this.workerRedis) redis.client.disconnect();
    this.commandRedis.client.disconnect();
    // The queues run on the command connection, dropped above: nothing of their own to close.
    await withinBound(
      Promise.allSettled([...workers.map((worker) => worker.close(true)), ...this.watches.values()]),
      SHUTDOWN_REDIS_BOUND_MS,
    );
  }

  // -------------------------------------------------------------------------
  // Registry
  // -------------------------------------------------------------------------

  async addTarget(input: TargetInput, actor = CODE_ACTOR): Promise<TargetDefinition> {
    const problems = validateTargetInput(input, 'target');
    if (problems.length > 0) throw new EngineInputError(problems);
    const def = normaliseTarget(input);
    const key = targetKey(def);
    if (!this.handlesType(def.type)) {
      throw new EngineInputError([{ field: 'target.type', message: `no poller handles type "${def.type}" (known: ${this.knownTypes()})` }]);
    }
    if (this.targets.get(key) ?? (await this.targets.fetch(key))) throw new TargetConflictError(key);
    await this.targets.put([def]);
    await this.addJob(def, 0);
    this.adjustConcurrency();
    this.events.emit('target:added', { key, type: def.type, name: def.name, definition: def, actor });
    return def;
  }

  async updateTarget(
    key: string,
    patch: Partial<Pick<TargetDefinition, 'displayName' | 'connection' | 'metadata' | 'fixedIntervalMs'>>,
    actor = CODE_ACTOR,
  ): Promise<TargetDefinition> {
    const current = await this.requireTarget(key);
    const next = { ...current, ...patch };
    const problems = validateTargetInput(next, 'target');
    if (problems.length > 0) throw new EngineInputError(problems);
    await this.targets.put([next]);
    await this.nudge(key, 'refresh');
    this.events.emit('target:updated', { key, type: next.type, name: next.name, definition: next, actor });
    return next;
  }

  async removeTarget(key: string, actor = CODE_ACTOR): Promise<TargetDefinition> {
    const def = await this.requireTarget(key);
    await this.targets.remove(key);
    await this.aggregates.forget(key, this.config.clock());
    const removed = await this.router.queueOf(key).remove(jobIdForTarget(key));
    // A running job cannot be removed: its next run finds the target gone and ends.
    if (removed === 0) await this.nudge(key, 'refresh');
    else await this.operatorQueue.clear(key);
    this.adjustConcurrency();
    this.events.emit('target:removed', { key, type: def.type, name: def.name, actor });
    return def;
  }

  /** Pauses or resumes; `target:paused` tells what the registry actually changed (before and after). */
  async setPaused(key: string, paused: boolean, actor = CODE_ACTOR): Promise<TargetDefinition> {
    const askedAtMs = this.config.clock();
    const applied = await this.targets.setPaused(key, paused);
    if (!applied) throw new TargetNotFoundError(key);
    const { before, after } = applied;
    const ref = { key, type: after.type, name: after.name };
    // Sent before any other await: concurrent calls report in the order Redis applied them.
    this.events.emit('target:paused', { ...ref, before: before.paused, after: after.paused, actor, askedAtMs, atMs: this.config.clock() });
    await this.nudge(key, 'refresh');
    this.events.emit('target:updated', { ...ref, definition: after, actor, pauseOnly: true });
    return after;
  }

  async getTarget(key: string): Promise<TargetDefinition | undefined> {
    return this.targets.get(key) ?? (await this.targets.fetch(key));
  }

  async listTargets(): Promise<TargetDefinition[]> {
    await this.targets.refresh();
    const revision = this.targets.revision;
    if (this.sortedTargets?.revision !== revision) {
      // Each key built once, not twice per comparison (~130,000 comparisons for 10,000 targets).
      const defs = this.targets
        .list()
        .map((def) => ({ def, key: this.keysOf(def).key }))
        .sort((a, b) => a.key.localeCompare(b.key))
        .map((entry) => entry.def);
      this.sortedTargets = { revision, defs };
    }
    return [...this.sortedTargets.defs];
  }

  /**
   * Every target's key in code-unit order (the health document's), built once
   * per registry change and shared by every caller: a health read of a large
   * fleet needs the keys only, not a copy of every definition.
   */
  async targetKeysInOrder(): Promise<readonly string[]> {
    await this.targets.refresh();
    const revision = this.targets.revision;
    if (this.orderedKeys?.revision !== revision) {
      const keys = this.targets.list().map((def) => this.keysOf(def).key);
      keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      this.orderedKeys = { revision, keys };
    }
    return this.orderedKeys.keys;
  }

  // -------------------------------------------------------------------------
  // Operator actions and reads
  // -------------------------------------------------------------------------

  /**
   * Queues a state action for the target's next run and runs it now. The run
   * that applies it reports `operator:applied` with the before and after it
   * applied, the actor, and when it was asked.
   */
  async applyAction(key: string, action: OperatorAction, actor = CODE_ACTOR): Promise<void> {
    await this.requireTarget(key);
    await this.nudge(key, encodeQueuedAction({ action, actor, askedAtMs: this.config.clock() }));
  }

  /** Runs the target's poll now (the breaker and dead-letter rules still apply). */
  async triggerNow(key: string): Promise<boolean> {
    await this.requireTarget(key);
    const job = await this.router.queueOf(key).getJob(jobIdForTarget(key));
    if (!job) return false;
    if (!(await job.isDelayed())) return false;
    await job.promote().catch(() => undefined);
    return true;
  }

  async snapshot(key: string): Promise<TargetSnapshot | undefined> {
    const def = await this.getTarget(key);
    if (!def) return undefined;
    return (await this.readSnapshots([def]))[0];
  }

  /** Every target's definition and shared state (one script call per 1,000 targets). */
  async snapshots(): Promise<TargetSnapshot[]> {
    return this.readSnapshots(await this.listTargets(), true);
  }

  /** Per-type fleet figures from the aggregates (O(types) reads; see fleet-aggregates.ts). */
  fleetAggregates(read: FleetAggregateRead): Promise<TypeAggregate[]> {
    return this.aggregates.read(read);
  }

  /** The health API's target lists from the aggregates (see FleetAggregates.lists). */
  fleetLists(deadLimit: number, stalestLimit: number): Promise<FleetLists> {
    return this.aggregates.lists(deadLimit, stalestLimit);
  }

  /** The snapshots of these targets only (a page), in the order given; keys not in the registry are left out. */
  async snapshotsOf(keys: readonly string[]): Promise<TargetSnapshot[]> {
    const defs = keys.map((key) => this.targets.get(key)).filter((def): def is TargetDefinition => def !== undefined);
    return this.readSnapshots(defs);
  }

  /** Rewrites the fleet aggregates from a full read (run at a low rate); returns the members it took out. */
  async repairFleetAggregates(): Promise<number> {
    const readAtMs = this.config.clock();
    return this.aggregates.repair(await this.snapshots(), readAtMs);
  }

  /** Jobs waiting to run now, divided by this process's capacity; at least 1. */
  backlog(): number {
    return this.backlogFactor;
  }

  /** Whether a poller is registered for `type`. */
  handlesType(type: string): boolean {
    return this.config.handlers.has(type);
  }

  knownTypes(): string {
    return [...this.config.handlers.keys()].sort().join(', ') || '(none)';
  }

  // -------------------------------------------------------------------------
  // Internals
  // -------------------------------------------------------------------------

  private startWorker(): void {
    // Logged once here; metrics count them, the run already rescheduled the target.
    this.events.on('engine:error', (e) => this.config.logger.error(`poll of ${e.key}: ${e.message}`));
    this.router.allQueues.forEach((queue, shard) => this.startShardWorker(queue, shard));
  }

  /** Wakes the workers of overdue shards, and replaces a worker that stays stuck (BullMQ's time: Date.now). */
  private async watchShards(watchdog: ShardWatchdog): Promise<void> {
    for (const [shard, queue] of this.router.allQueues.entries()) {
      const verdict = await watchdog.check(queue, async () => !(await queue.isPaused()) && (await queue.getActiveCount()) === 0);
      if (verdict !== 'replace' || !this.workers[shard]) continue;
      this.config.logger.warn(`worker of ${queue.name} stopped fetching overdue jobs: replaced`);
      const [stuck, stuckRedis] = [this.workers[shard], this.workerRedis[shard]];
      this.startShardWorker(queue, shard);
      // Its await may never settle: not waited for; dropping the connection rejects what it still waits on.
      void stuck.close(true).catch(() => undefined);
      stuckRedis.client.disconnect();
    }
  }

  /** A worker on one shard's queue, with a processor that writes back to that queue. */
  private startShardWorker(queue: Queue<PollJobData>, shard: number): void {
    const { config } = this;
    const processor = new PollProcessor({
      targets: this.targets,
      operatorQueue: this.operatorQueue,
      handlers: config.handlers,
      options: config.options,
      policies: config.policies,
      classifier: config.classifier,
      events: this.events,
      clock: config.clock,
      random: config.random,
      backlog: () => this.backlogFactor,
      shutdown: this.shutdown.signal,
      queue,
      maxStallRecoveries: config.maxStallRecoveries ?? DEFAULT_MAX_STALL_RECOVERIES,
      aggregates: this.aggregates,
      rehome: (job) => this.rehoming.moveIfMisplaced(job, queue),
    });
    const workerConnection = openRedis(config.connection, 'adaptive-polling:worker', config.logger);
    this.workerRedis[shard] = workerConnection;
    const worker = new Worker<PollJobData>(queue.name, (job: Job<PollJobData>, token?: string) => processor.process(job, token), {
      connection: workerConnection.client,
      prefix: config.prefix,
      concurrency: this.shardConcurrency(),
      // Every worker must use the same stalled interval (the check is
      // throttled by a key shared in Redis). The check runs twice per lock
      // period: BullMQ's throttle key lives exactly one check interval, so a
      // replica's next check can find it still set and skip a whole period;
      // checking at half the lock keeps a dead replica's poll retaken within
      // about two lock periods (lock expiry + a check + a skipped one).
      lockDuration: config.stalledIntervalMs,
      stalledInterval: Math.max(MIN_STALLED_CHECK_MS, Math.round(config.stalledIntervalMs / 2)),
      maxStalledCount: 1_000_000,
      removeOnComplete: { count: 0 },
      removeOnFail: { count: 100 },
      runRetryDelay: WORKER_RETRY_DELAY_MS,
    });
    this.workers[shard] = worker;
    const { client } = workerConnection;
    // A keyed read, so a cluster routes it to the node the worker blocks on.
    wakeWorkerOnTime(worker, async () => (client.status === 'ready' ? client.exists(queue.keys.marker) : undefined));
    worker.on('error', (error) => logUnlessOutage(workerConnection.client, (m) => config.logger.error(m), 'worker error', error));
    worker.on('failed', (job, error) => config.logger.error(`poll job ${job?.id ?? '?'} failed unexpectedly: ${describeError(error)}`));
    // The worker closes its own connection; ours is a duplicate it owns.
    worker.on('closed', () => void workerConnection.client.quit().catch(() => undefined));
  }

  /** The process's concurrency split over its shard workers (rounded up: targets hash about evenly). */
  private shardConcurrency(): number {
    return Math.max(1, Math.ceil(this.desiredConcurrency() / this.router.count));
  }

  private desiredConcurrency(): number {
    if (this.config.concurrency) return this.config.concurrency;
    return Math.max(1, Math.min(this.targets.size(), DEFAULT_MAX_CONCURRENCY));
  }

  private adjustConcurrency(): void {
    if (this.config.concurrency) return;
    for (const worker of this.workers) worker.concurrency = this.shardConcurrency();
  }

  private async registerStatic(defs: TargetDefinition[]): Promise<void> {
    // A static target keeps a pause set at run time across restarts.
    const merged = defs.map((def) => ({ ...def, paused: this.targets.get(targetKey(def))?.paused ?? def.paused }));
    await this.targets.put(merged);
  }

  private async requireTarget(key: string): Promise<TargetDefinition> {
    const def = await this.getTarget(key);
    if (!def) throw new TargetNotFoundError(key);
    return def;
  }

  /**
   * Queues the action and gets the target's job to run now. A delayed job is
   * promoted at once. A running job cannot be: its reschedule keeps the
   * pending-actions mark, and a background watch promotes it as soon as it is
   * delayed again (polls never check for actions, which keeps them at one
   * round trip). If this process dies first, the mark makes the job's next
   * scheduled run apply the action.
   */
  private async nudge(key: string, action: string): Promise<void> {
    await this.operatorQueue.push(key, action, this.jobKey(key));
    const where = await this.promoteIfDelayed(key);
    // One watch per target is enough: it looks until the list is drained.
    if (where !== 'running' || this.watches.has(key)) return;
    const watch = this.promoteAfterRun(key)
      .catch((error: unknown) => {
        if (!this.shutdown.signal.aborted) this.config.logger.warn(`operator action on ${key}: ${describeError(error)}`);
      })
      .finally(() => this.watches.delete(key));
    this.watches.set(key, watch);
  }

  private async promoteIfDelayed(key: string): Promise<PendingActionsWhere> {
    const jobId = jobIdForTarget(key);
    const where = await this.operatorQueue.where(key, {
      jobId,
      lock: lockKeyOf(this.jobKey(key)),
      delayed: this.router.queueOf(key).keys.delayed,
    });
    if (where === 'delayed') {
      const job = await this.router.queueOf(key).getJob(jobId);
      await job?.promote().catch(() => undefined); // it may have come due meanwhile: it runs anyway
    }
    return where;
  }

  /** Waits (backing off, within a bound) for a running job's reschedule, then promotes it. */
  private async promoteAfterRun(key: string): Promise<void> {
    const deadline = Date.now() + this.longestRunMs();
    let pauseMs = WATCH_FIRST_PAUSE_MS;
    while (Date.now() < deadline) {
      await sleep(pauseMs, undefined, { signal: this.shutdown.signal, ref: false });
      if ((await this.promoteIfDelayed(key)) !== 'running') return;
      pauseMs = Math.min(pauseMs * 2, WATCH_MAX_PAUSE_MS);
    }
  }

  /** The longest a run can hold its job: the slowest poll timeout, plus a lost worker's lock recovery. */
  private longestRunMs(): number {
    let timeoutMs = this.config.options.pollTimeoutMs;
    for (const type of this.config.handlers.keys()) {
      timeoutMs = Math.max(timeoutMs, optionsForType(this.config.options, type).pollTimeoutMs);
    }
    return timeoutMs + 2 * this.config.stalledIntervalMs + 1_000;
  }

  private jobKey(key: string): string {
    return jobKeyOf(this.router.queueOf(key), jobIdForTarget(key));
  }

  private async addJob(def: TargetDefinition, delayMs: number, state: TargetPollState | null = null): Promise<void> {
    const key = targetKey(def);
    const now = this.config.clock();
    const delay = def.paused ? PAUSED_DELAY_MS : delayMs;
    await this.router.queueOf(key).add(
      key,
      encodeJobData(key, now + delay, state),
      // No removeOn* here: the worker's options say the same, and every byte
      // of a job's opts is stored once per target.
      { jobId: jobIdForTarget(key), delay },
    );
    await this.aggregates.record(def, state, now);
  }

  /**
   * Adds the job of every target that has none (new targets, or all of them
   * after Redis lost its data). Existing jobs are left alone, so a restart
   * resumes the schedule instead of polling everything at once; new jobs are
   * spread over one base interval. A job that ended (failed or completed:
   * a poll job never should) counts as missing, and is re-created with the
   * last state it carried.
   */
  private async ensureJobs(): Promise<number> {
    const defs = this.targets.list();
    if (defs.length === 0) return 0;
    const found = new Array<{ exists: boolean; ended: boolean }>(defs.length);
    // One pipeline per shard: on a cluster a pipeline must stay within one slot's node.
    for (const group of this.router.group(defs, (def) => this.keysOf(def).key)) {
      const queue = this.router.queues[group.shard];
      const pipeline = this.redis.pipeline();
      for (const def of group.items) {
        const jobId = jobIdForTarget(targetKey(def));
        pipeline.exists(this.jobKey(targetKey(def)));
        pipeline.zscore(queue.keys.failed, jobId);
        pipeline.zscore(queue.keys.completed, jobId);
      }
      const results = (await pipeline.exec()) ?? [];
      group.indexes.forEach((at, i) => {
        found[at] = {
          exists: results[3 * i]?.[1] === 1,
          ended: results[3 * i + 1]?.[1] != null || results[3 * i + 2]?.[1] != null,
        };
      });
    }
    // Drawn in target order before any await, so an injected random source gives the same spread.
    const missing = defs.flatMap((def, i) => {
      const { exists, ended } = found[i];
      if (exists && !ended) return [];
      return [{ def, exists, ended, spreadMs: Math.floor(this.config.random() * this.config.options.intervals.baseMs) }];
    });
    let created = 0;
    const create = async ({ def, exists, ended, spreadMs }: (typeof missing)[number]): Promise<void> => {
      const key = targetKey(def);
      // Not missing: its job still sits in its former shard, and moves home with its state.
      if (!exists && (await this.inFormerShard(key))) return;
      const lastKnown = ended ? await this.takeEndedJobState(key) : null;
      const state = lastKnown ?? (this.config.recoverState ? await this.config.recoverState(key) : null);
      const delay = state?.nextRunAtMs ? Math.max(0, state.nextRunAtMs - this.config.clock()) : spreadMs;
      await this.addJob(def, delay, state);
      created++;
    };
    // Several at once: one after the other, a fleet of 100,000 spends most of its boot waiting on round trips.
    let next = 0;
    let failed = false;
    const lane = async (): Promise<void> => {
      while (!failed && next < missing.length) {
        try {
          await create(missing[next++]);
        } catch (error) {
          failed = true;
          throw error;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(JOB_CREATIONS_IN_FLIGHT, missing.length) }, lane));
    return created;
  }

  /** While the shard count changes: gets every job outside its home shard moving (see ShardRehoming). */
  private async rehomeStep(): Promise<void> {
    if (!this.rehoming.active) return;
    const left = await this.rehoming.step(this.targets.keysList());
    if (left > 0) return;
    this.config.logger.log(`poll jobs laid out over ${this.router.count} shards`);
    // Every job is home now: each shard's fleet figures are rewritten for the new layout.
    await this.repairFleetAggregates();
  }

  private async inFormerShard(key: string): Promise<boolean> {
    const former = this.rehoming.formerQueueOf(key);
    return former !== null && (await this.redis.exists(jobKeyOf(former, jobIdForTarget(key)))) === 1;
  }

  /** Removes an ended job, returning the state its data carried. */
  private async takeEndedJobState(key: string): Promise<TargetPollState | null> {
    const job = await this.router.queueOf(key).getJob(jobIdForTarget(key));
    if (!job) return null;
    const state = targetStateFromJobData(job.data);
    await job.remove();
    return state;
  }

  private async reconcile(): Promise<void> {
    const refreshed = await this.targets.refresh();
    if (refreshed === 'lost') {
      const count = await this.targets.restore(this.staticTargets);
      const jobsCreated = await this.ensureJobs();
      await this.repairFleetAggregates();
      this.config.logger.warn(`Redis lost the registry: restored ${count} targets and ${jobsCreated} jobs`);
      this.events.emit('schedule:rebuilt', { targets: count, reason: 'redis_lost', jobsCreated });
      this.adjustConcurrency();
      return;
    }
    if (refreshed === 'reloaded') this.adjustConcurrency();
    await this.rehomeStep();
    // One counting script instead of an EXISTS per target: with every target
    // holding its job (the normal case) there is nothing to look for. A job
    // of a removed target that is still running may hide a missing one until
    // it ends (one poll); the next reconcile then finds it.
    if ((await this.scheduledJobCount()) >= this.targets.size()) return;
    const jobsCreated = await this.ensureJobs();
    if (jobsCreated > 0) {
      this.config.logger.warn(`re-created ${jobsCreated} missing poll jobs`);
      this.events.emit('schedule:rebuilt', { targets: this.targets.size(), reason: 'jobs_missing', jobsCreated });
    }
  }

  /** Jobs that are waiting, running or delayed (failed and completed ones are not schedule). */
  private async scheduledJobCount(): Promise<number> {
    let total = 0;
    for (const queue of this.router.allQueues) {
      const counts = await queue.getJobCounts('active', 'delayed', 'prioritized', 'waiting', 'waiting-children');
      total += Object.values(counts).reduce((sum, n) => sum + n, 0);
    }
    return total;
  }

  private async measureBacklog(): Promise<void> {
    let waiting = 0;
    for (const queue of this.router.queues) waiting += await queue.getWaitingCount();
    const capacity = Math.max(1, this.workers.length > 0 ? this.currentConcurrency : this.desiredConcurrency());
    this.backlogFactor = 1 + waiting / capacity;
  }

  private async readSnapshots(defs: TargetDefinition[], wholeFleet = false): Promise<TargetSnapshot[]> {
    if (defs.length === 0) return [];
    // One script call per chunk of targets; each chunk is decoded as its
    // reply arrives, so a big fleet's read does not hold the event loop in one stretch.
    // Chunks never span shards: on a cluster a script only touches keys of one slot.
    const snapshots = new Array<TargetSnapshot>(defs.length);
    const chunks: Array<Promise<void>> = [];
    for (const group of this.router.group(defs, (def) => this.keysOf(def).key)) {
      for (let from = 0; from < group.items.length; from += JOB_READ_CHUNK) {
        const chunk = group.items.slice(from, from + JOB_READ_CHUNK);
        const jobKeys = chunk.map((def) => this.keysOf(def).jobKey);
        chunks.push(
          readJobDataAndLock(this.redis, jobKeys).then((rows) =>
            chunk.forEach((definition, i) => {
              const { raw, locked } = rows[i];
              const state = raw ? this.decodeState(jobKeys[i], raw) : null;
              snapshots[group.indexes[from + i]] = { definition, state, running: locked, scheduled: raw !== null };
            }),
          ),
        );
      }
    }
    await Promise.all(chunks);
    if (wholeFleet && this.decodedStates.size > defs.length) this.forgetDecodedStatesBut(defs);
    return snapshots;
  }

  /**
   * A job's state from its raw data, decoded once per change: between two
   * reads of a big fleet most targets have not run, so their data is the same
   * text and the state decoded last time is reused (states are never mutated).
   */
  private decodeState(jobKey: string, raw: string): TargetPollState | null {
    const known = this.decodedStates.get(jobKey);
    if (known?.raw === raw) return known.state;
    const state = targetStateFromJobData(JSON.parse(raw));
    this.decodedStates.set(jobKey, { raw, state });
    return state;
  }

  private forgetDecodedStatesBut(defs: TargetDefinition[]): void {
    const live = new Set(defs.map((def) => this.keysOf(def).jobKey));
    for (const jobKey of this.decodedStates.keys()) if (!live.has(jobKey)) this.decodedStates.delete(jobKey);
  }

  /** A definition's target key and job key, built once per definition object (it is replaced on every change). */
  private keysOf(def: TargetDefinition): DefinitionKeys {
    let keys = this.definitionKeys.get(def);
    if (!keys) {
      const key = targetKey(def);
      keys = { key, jobKey: this.jobKey(key) };
      this.definitionKeys.set(def, keys);
    }
    return keys;
  }

  private every(ms: number, task: () => Promise<void>): void {
    let running = false;
    const timer = setInterval(() => {
      if (running || !this.started) return;
      running = true;
      task()
        .catch((error: unknown) => this.config.logger.warn(`background task failed: ${describeError(error)}`))
        .finally(() => {
          running = false;
        });
    }, ms);
    timer.unref();
    this.timers.push(timer);
  }
}
