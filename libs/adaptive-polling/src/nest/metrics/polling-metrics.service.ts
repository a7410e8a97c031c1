import { describeError } from '../../core/redact';
import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { Registry } from 'prom-client';
import { optionsForType } from '../../core/options';
import { targetKey } from '../../core/target';
import type { PollEvent, TargetPollState } from '../../core/types';
import type { EngineEventMap, OperatorActionEvent, TargetRef } from '../../engine/engine-events';
import {
  ADAPTIVE_POLLING_PERSISTENCE_STATUS,
  ADAPTIVE_POLLING_REPLICA_DIRECTORY,
  type PersistenceStatusSource,
  type ReplicaDirectory,
} from '../extension-points';
import type { PollingEngineHost } from '../polling-engine.host';
import { PollingModuleRefs } from '../polling-module-refs';
import { DependencyUnavailableError, withinAnswerBound } from '../answer-bound';
import { UNAVAILABLE_CONTENT_TYPE, scrapeWithDefaultRegistry, type MetricsAnswer } from './metrics-scrape';
import { DUE_SOON_WINDOW_MS } from './metric-definitions';
import {
  ALL_INSTANCES_LABEL_VALUE,
  BREAKER_STATES,
  DEAD_LETTER_REASONS,
  POLL_ERROR_TYPES,
  POLL_RESULTS,
  boundedLabel,
  labelValue,
  nonNegativeSeconds,
  type DeadLetterDirectionLabel,
} from './metric-labels';
import { snapshotReadFailed } from './metrics-messages';
import { decidePerTargetLabels } from './label-cardinality';
import { ADAPTIVE_POLLING_METRICS_OPTIONS, type ResolvedMetricsOptions } from './metrics-options';
import { PollCounts } from './poll-counts';
import { PollingMetricSet } from './polling-metric-set';
import { snapshotGaugeValues, type GaugeSample, type SnapshotGaugeValues } from './snapshot-gauges';
import { aggregateGaugeValues } from './aggregate-gauges';

type Listener<K extends keyof EngineEventMap> = (...args: EngineEventMap[K]) => void;

/**
 * The Prometheus metrics of one app's polling engine, in its own registry.
 *
 * Counters and histograms follow the engine's events in this process; the
 * state gauges (staleness, breakers, dead letters, queue) are read from the
 * shared Redis state when scraped: with per-target labels, every target's
 * state (one `snapshots()` call per scrape); without, the per-type fleet
 * aggregates (a few commands per type, whatever the fleet's size).
 *
 * Other parts of the app report what only they know through
 * `setReplicasAlive`, `setPersistenceUp` and `incPersistenceWriteFailures`;
 * a registered ReplicaDirectory / PersistenceStatusSource is read at scrape
 * time instead, when present.
 */
@Injectable()
export class PollingMetricsService implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('AdaptivePollingMetrics');
  private metricSet: PollingMetricSet | null = null;
  private resolvedOptions: ResolvedMetricsOptions | null = null;
  private perTargetDecision: boolean | null = null;
  /** Poll totals and polls in flight, counted here and written at each read. */
  private readonly counts = new PollCounts();
  private readonly detachers: Array<() => void> = [];
  private refreshing: Promise<void> | null = null;
  private replicasAlive: number | null = null;
  private persistenceUp: boolean | null = null;
  private lastReadFailed = false;

  constructor(
    private readonly refs: PollingModuleRefs,
    @Optional() @Inject(ADAPTIVE_POLLING_PERSISTENCE_STATUS) private readonly persistence?: PersistenceStatusSource,
  ) {}

  private get host(): PollingEngineHost {
    return this.refs.host;
  }

  private get replicas(): ReplicaDirectory | null {
    return this.refs.optional<ReplicaDirectory>(ADAPTIVE_POLLING_REPLICA_DIRECTORY);
  }

  /** The metrics options of the polling module (`metrics` in its options). */
  get options(): ResolvedMetricsOptions {
    this.resolvedOptions ??= this.refs.required<ResolvedMetricsOptions>(ADAPTIVE_POLLING_METRICS_OPTIONS, 'its metrics options');
    return this.resolvedOptions;
  }

  /**
   * Whether series carry the target (`instance="type::name"`): `auto` is
   * decided once, on first use (polls start after the engine did, so the
   * start-up fleet is known by then).
   */
  get perTargetLabels(): boolean {
    if (this.perTargetDecision === null) {
      const { perTargetLabels, perTargetLabelLimit } = this.options;
      const decision = decidePerTargetLabels(perTargetLabels, this.host.startupTargetCount ?? 0, perTargetLabelLimit);
      if (decision.warning) this.logger.warn(decision.warning);
      this.perTargetDecision = decision.perTargetLabels;
    }
    return this.perTargetDecision;
  }

  /** Built on first use, once the polling module's options can be read. */
  private get set(): PollingMetricSet {
    this.metricSet ??= new PollingMetricSet(
      this.options.prefix,
      () => this.refresh(),
      () => this.counts.flush(this.set.pollTotal, this.set.pollInflight),
    );
    return this.metricSet;
  }

  /** This app's polling metrics (not the global default registry). */
  get registry(): Registry {
    return this.set.registry;
  }

  /**
   * One scrape of the default and polling registries, within
   * `metrics.scrapeTimeoutMs`: 503 at once while Redis is not connected,
   * 503 when reading the shared state takes longer.
   */
  async scrape(): Promise<MetricsAnswer> {
    try {
      const scrape = await withinAnswerBound(this.host, this.options.scrapeTimeoutMs, () => scrapeWithDefaultRegistry(this.registry));
      return { status: 200, ...scrape };
    } catch (error) {
      if (!(error instanceof DependencyUnavailableError)) throw error;
      return { status: 503, contentType: UNAVAILABLE_CONTENT_TYPE, body: `${error.message}\n` };
    }
  }

  /** The Prometheus text of this app's polling metrics alone. */
  async metrics(): Promise<string> {
    return this.set.registry.metrics();
  }

  /** Replicas with a live heartbeat (ignored while a ReplicaDirectory provider is registered). */
  setReplicasAlive(count: number): void {
    this.replicasAlive = Number.isFinite(count) ? Math.max(0, Math.floor(count)) : 0;
  }

  /** Whether the persistence database answers (ignored while a PersistenceStatusSource is registered). */
  setPersistenceUp(up: boolean): void {
    this.persistenceUp = up;
  }

  /** Counts failed writes to the persistence database. */
  incPersistenceWriteFailures(count = 1): void {
    if (Number.isFinite(count) && count > 0) this.set.persistenceWriteFailures.inc(count);
  }

  onModuleInit(): void {
    this.listen('poll:started', (e) => this.pollStarted(e.key, e.type, e.waitMs));
    this.listen('poll:finished', (e) => this.pollFinished(e));
    this.listen('poll:skipped', (e) => this.pollEnded(e.key));
    this.listen('engine:error', (e) => {
      if (e.pollStarted) this.pollEnded(e.key);
      this.set.engineErrors.inc({ stage: e.stage });
    });
    this.listen('transition', (e) => this.countTransition(e, e.event));
    this.listen('operator:applied', (e) => this.countOperatorAction(e));
    this.listen('target:added', (e) => this.initialiseTarget(e));
    this.listen('target:removed', (e) => this.forgetTarget(e));
  }

  /**
   * Starts every target's counters at 0 once the engine has started (not
   * awaited: the polling module's own bootstrap may run after this one).
   */
  onApplicationBootstrap(): void {
    void this.host.started().then(() => this.initialiseTargets());
  }

  private async initialiseTargets(): Promise<void> {
    if (!this.host.engine.bullQueue) return;
    try {
      for (const def of await this.host.engine.listTargets()) {
        this.initialiseTarget({ key: targetKey(def), type: def.type });
      }
    } catch (error) {
      this.logger.warn(snapshotReadFailed(describeError(error)));
    }
  }

  onApplicationShutdown(): void {
    for (const detach of this.detachers.splice(0)) detach();
  }

  /**
   * Reads the shared state into the state gauges. Called by every state
   * gauge's `collect()`; concurrent calls (one scrape reads every gauge at
   * once) share one read.
   */
  refresh(): Promise<void> {
    this.refreshing ??= this.readState().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  // ---------------------------------------------------------------------------
  // Events of this process
  // ---------------------------------------------------------------------------

  private listen<K extends keyof EngineEventMap>(event: K, listener: Listener<K>): void {
    const events = this.host.engine.events;
    const safe = ((...args: EngineEventMap[K]) => {
      try {
        listener(...args);
      } catch (error) {
        this.logger.warn(`metrics: ${event} not counted: ${describeError(error)}`);
      }
    }) as Listener<K>;
    // The emitter's generic signature is awkward to satisfy for a generic K.
    (events.on as (e: K, l: Listener<K>) => unknown).call(events, event, safe);
    this.detachers.push(() => (events.off as (e: K, l: Listener<K>) => unknown).call(events, event, safe));
  }

  private targetLabels(ref: { key: string; type: string }): { instance_type: string; instance: string } {
    return {
      instance_type: labelValue(ref.type),
      instance: this.perTargetLabels ? labelValue(ref.key) : ALL_INSTANCES_LABEL_VALUE,
    };
  }

  private pollStarted(key: string, type: string, waitMs: number): void {
    const typeLabel = labelValue(type);
    this.set.queueWait.observe({ instance_type: typeLabel }, nonNegativeSeconds(waitMs));
    this.counts.started(key, typeLabel);
  }

  private pollEnded(key: string): void {
    this.counts.ended(key);
  }

  private pollFinished(event: EngineEventMap['poll:finished'][0]): void {
    this.pollEnded(event.key);
    const labels = this.targetLabels(event);
    this.counts.finished(this.seriesOf(event.key, labels), () => labels, event.success ? 'success' : 'error');
    this.set.pollDuration.observe(labels, nonNegativeSeconds(event.durationMs));
    if (!event.success) {
      this.set.pollErrors.inc({ ...labels, error_type: boundedLabel(event.failure?.category, POLL_ERROR_TYPES) });
    }
  }

  /** Per-target series are per key; without per-target labels a type's targets share one. */
  private seriesOf(key: string, labels: { instance_type: string }): string {
    return this.perTargetLabels ? key : labels.instance_type;
  }

  private countTransition(ref: TargetRef, event: PollEvent): void {
    const instance_type = labelValue(ref.type);
    if (event.type === 'breaker_transition') {
      this.set.breakerTransitions.inc({
        instance_type,
        from: boundedLabel(event.from, BREAKER_STATES),
        to: boundedLabel(event.to, BREAKER_STATES),
      });
    } else if (event.type === 'dead_letter_in' || event.type === 'dead_letter_out') {
      const direction: DeadLetterDirectionLabel = event.type === 'dead_letter_in' ? 'in' : 'out';
      this.set.deadLetterTransitions.inc({ instance_type, direction, reason: boundedLabel(event.reason, DEAD_LETTER_REASONS) });
    }
  }

  /**
   * Operator actions change breaker and dead-letter state without a poll
   * (the engine reports them as `operator:applied` with before and after):
   * counted here from that difference.
   */
  private countOperatorAction(event: OperatorActionEvent): void {
    const before: TargetPollState | null = event.before;
    const after: TargetPollState | null = event.after;
    if (!before || !after) return;
    if (before.breaker.state !== after.breaker.state) {
      this.countTransition(event, {
        type: 'breaker_transition',
        from: before.breaker.state,
        to: after.breaker.state,
        generation: after.breaker.generation,
        atMs: event.atMs,
      });
    }
    if (before.deadLetter && !after.deadLetter) {
      this.countTransition(event, {
        type: 'dead_letter_out',
        reason: event.action === 'purge_dead_letter' ? 'operator_purge' : 'operator_retry',
        atMs: event.atMs,
      });
    }
  }

  private initialiseTarget(ref: { key: string; type: string }): void {
    const labels = this.targetLabels(ref);
    for (const result of POLL_RESULTS) this.set.pollTotal.inc({ ...labels, result }, 0);
    this.counts.knowType(labels.instance_type);
  }

  private forgetTarget(ref: { key: string; type: string }): void {
    if (!this.perTargetLabels) return;
    const labels = this.targetLabels(ref);
    this.counts.forget(this.seriesOf(ref.key, labels));
    for (const result of POLL_RESULTS) this.set.pollTotal.remove({ ...labels, result });
    for (const error_type of POLL_ERROR_TYPES) this.set.pollErrors.remove({ ...labels, error_type });
    this.set.pollDuration.remove(labels);
  }

  // ---------------------------------------------------------------------------
  // State read at scrape time
  // ---------------------------------------------------------------------------

  private async readState(): Promise<void> {
    await Promise.all([this.readTargetState(), this.readReplicas()]);
    this.readPersistence();
  }

  private async readTargetState(): Promise<void> {
    const { engine } = this.host;
    if (!engine.bullQueue) {
      this.clearStateGauges();
      return;
    }
    try {
      const values = await this.readGaugeValues();
      const s = this.set;
      replace(s.pollStaleness, values.staleness);
      replace(s.pollLastSuccess, values.lastSuccess);
      replace(s.deadLetterDepth, values.deadLetterDepth);
      replace(s.breakerState, values.breakerState);
      replace(s.breakerFailures, values.breakerFailures);
      replace(s.breakerRetry, values.breakerRetry);
      replace(s.queueDepth, values.queueDepthByType);
      replace(s.targets, values.targetsByType);
      replace(s.maxInterval, values.maxIntervalByType);
      s.pollQueueDepth.set(values.queueDepth);
      s.queueDueSoon.set(values.dueSoon);
      this.lastReadFailed = false;
    } catch (error) {
      // Warn once per outage, not on every scrape.
      if (!this.lastReadFailed) this.logger.warn(snapshotReadFailed(describeError(error)));
      this.lastReadFailed = true;
      this.clearStateGauges();
    }
  }

  private async readGaugeValues(): Promise<SnapshotGaugeValues> {
    const { engine, config } = this.host;
    const nowMs = config.clock();
    const knownTypes = Object.keys(config.polling.perType);
    const maxIntervalMs = (type: string) => optionsForType(config.polling, type).intervals.maxMs;
    if (!this.perTargetLabels) {
      const aggregates = await engine.fleetAggregates({ nowMs, dueWindowMs: DUE_SOON_WINDOW_MS, maxIntervalMs });
      return aggregateGaugeValues({ aggregates, nowMs, knownTypes, maxIntervalMs });
    }
    return snapshotGaugeValues({
      snapshots: await engine.snapshots(),
      nowMs,
      perTargetLabels: true,
      knownTypes,
      maxIntervalMs,
      dueSoonWindowMs: DUE_SOON_WINDOW_MS,
    });
  }

  private async readReplicas(): Promise<void> {
    if (!this.replicas) {
      // Without a heartbeat source, the replica answering this scrape is what is known.
      this.set.replicasAlive.set(this.replicasAlive ?? (this.host.engine.isWorkerRunning ? 1 : 0));
      return;
    }
    try {
      // A replica that is up but polls nothing (worker stopped, or worker: false) is not counted.
      const polling = (await this.replicas.replicas()).filter((r) => r.status === 'alive' && r.workerRunning !== false);
      this.set.replicasAlive.set(polling.length);
    } catch {
      // Unknown, not guessed: no sample (a gap in the graph; absent() sees it), never a count of 1.
      this.set.replicasAlive.remove();
    }
  }

  private readPersistence(): void {
    let up = this.persistenceUp;
    if (this.persistence) {
      try {
        up = this.persistence.status().up;
      } catch {
        up = false;
      }
    }
    // No database configured and nothing reported: the family has no sample.
    if (up === null) this.set.persistenceUp.remove();
    else this.set.persistenceUp.set(up ? 1 : 0);
  }

  private clearStateGauges(): void {
    const s = this.set;
    for (const gauge of [
      s.pollStaleness,
      s.pollLastSuccess,
      s.deadLetterDepth,
      s.breakerState,
      s.breakerFailures,
      s.breakerRetry,
      s.queueDepth,
      s.targets,
      s.maxInterval,
    ]) {
      gauge.reset();
    }
    s.pollQueueDepth.remove();
    s.queueDueSoon.remove();
  }
}

function replace(gauge: { reset(): void; set(labels: Record<string, string>, value: number): void }, samples: GaugeSample[]): void {
  gauge.reset();
  for (const { labels, value } of samples) gauge.set(labels, value);
}
