import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { POLLING_METRICS, metricName, type MetricDefinition } from './metric-definitions';

/** Runs before a state gauge is read; shared by every gauge of one scrape. */
export type BeforeScrape = () => Promise<void>;

/**
 * The prom-client objects of one app, in a registry of their own: two apps in
 * one process (or two modules in one app) never share a metric object, and
 * the global default registry is left to the host.
 */
export class PollingMetricSet {
  readonly registry = new Registry();

  readonly pollTotal: Counter<string>;
  readonly pollDuration: Histogram<string>;
  readonly pollStaleness: Gauge<string>;
  readonly pollQueueDepth: Gauge<string>;
  readonly pollInflight: Gauge<string>;
  readonly pollErrors: Counter<string>;
  readonly pollLastSuccess: Gauge<string>;
  readonly queueDueSoon: Gauge<string>;
  readonly queueDepth: Gauge<string>;
  readonly queueWait: Histogram<string>;
  readonly deadLetterDepth: Gauge<string>;
  readonly breakerState: Gauge<string>;
  readonly breakerFailures: Gauge<string>;
  readonly breakerRetry: Gauge<string>;
  readonly breakerTransitions: Counter<string>;
  readonly deadLetterTransitions: Counter<string>;
  readonly targets: Gauge<string>;
  readonly maxInterval: Gauge<string>;
  readonly replicasAlive: Gauge<string>;
  readonly persistenceUp: Gauge<string>;
  readonly persistenceWriteFailures: Counter<string>;
  readonly engineErrors: Counter<string>;

  /**
   * @param flushCounts writes what the poll listeners counted locally (poll
   * totals, polls in flight) into the metrics; runs before any read of them.
   */
  constructor(
    readonly prefix: string,
    beforeScrape: BeforeScrape,
    flushCounts: () => void = () => undefined,
  ) {
    const m = POLLING_METRICS;
    const collect = { collect: beforeScrape };
    this.pollTotal = new Counter({ ...this.common(m.pollTotal), collect: flushCounts });
    this.pollDuration = this.histogram(m.pollDuration);
    this.pollStaleness = this.gauge(m.pollStaleness, collect);
    this.pollQueueDepth = this.gauge(m.pollQueueDepth, collect);
    this.pollInflight = new Gauge({ ...this.common(m.pollInflight), collect: flushCounts });
    this.pollErrors = this.counter(m.pollErrors);
    this.pollLastSuccess = this.gauge(m.pollLastSuccess, collect);
    this.queueDueSoon = this.gauge(m.queueDueSoon, collect);
    this.queueDepth = this.gauge(m.queueDepth, collect);
    this.queueWait = this.histogram(m.queueWait);
    this.deadLetterDepth = this.gauge(m.deadLetterDepth, collect);
    this.breakerState = this.gauge(m.breakerState, collect);
    this.breakerFailures = this.gauge(m.breakerFailures, collect);
    this.breakerRetry = this.gauge(m.breakerRetry, collect);
    this.breakerTransitions = this.counter(m.breakerTransitions);
    this.deadLetterTransitions = this.counter(m.deadLetterTransitions);
    this.targets = this.gauge(m.targets, collect);
    this.maxInterval = this.gauge(m.maxInterval, collect);
    this.replicasAlive = this.gauge(m.replicasAlive, collect);
    this.persistenceUp = this.gauge(m.persistenceUp, collect);
    this.persistenceWriteFailures = this.counter(m.persistenceWriteFailures);
    this.engineErrors = this.counter(m.engineErrors);
    // Every stage from 0: an alert on rate() sees the first error.
    for (const stage of m.engineErrors.labelValues.stage) this.engineErrors.inc({ stage }, 0);
  }

  private common(definition: MetricDefinition) {
    return {
      name: metricName(this.prefix, definition),
      help: definition.help,
      labelNames: [...definition.labels],
      registers: [this.registry],
    };
  }

  private counter(definition: MetricDefinition): Counter<string> {
    return new Counter(this.common(definition));
  }

  private gauge(definition: MetricDefinition, extra: { collect?: BeforeScrape } = {}): Gauge<string> {
    const { collect } = extra;
    return new Gauge({
      ...this.common(definition),
      ...(collect ? { collect: () => collect() } : {}),
    });
  }

  private histogram(definition: MetricDefinition): Histogram<string> {
    return new Histogram({ ...this.common(definition), buckets: [...(definition.buckets ?? [])] });
  }
}
