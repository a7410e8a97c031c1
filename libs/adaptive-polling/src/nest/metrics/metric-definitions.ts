import { ENGINE_ERROR_STAGES } from '../../engine/engine-events';
import { BREAKER_STATES, DEAD_LETTER_DIRECTIONS, DEAD_LETTER_REASONS, POLL_ERROR_TYPES, POLL_RESULTS } from './metric-labels';

export type MetricType = 'counter' | 'gauge' | 'histogram';

/**
 * One metric family. `name` is without the prefix: the full name is
 * `<prefix>_<name>` (`pulse_monitor_poll_total` by default). The shipped
 * ops/metric-catalogue.json (dashboard, alert rules) lists the same families
 * with the default prefix; a test keeps the two equal.
 */
export interface MetricDefinition {
  name: string;
  type: MetricType;
  help: string;
  labels: readonly string[];
  buckets?: readonly number[];
  /** Labels whose values come from a fixed set. */
  labelValues?: Readonly<Record<string, readonly string[]>>;
  /** `cluster`: read from the shared Redis state (same on every replica); `process`: this process only. */
  scope: 'process' | 'cluster';
}

export const DEFAULT_METRICS_PREFIX = 'pulse';

/** Time a job counts as "due soon": the one rule in core/schedule-rules. */
export { DUE_SOON_WINDOW_MS } from '../../core/schedule-rules';

const TARGET = ['instance_type', 'instance'] as const;
const TYPE = ['instance_type'] as const;

/** The names, labels and buckets of every metric, in one place. */
export const POLLING_METRICS = {
  pollTotal: {
    name: 'monitor_poll_total',
    type: 'counter',
    help: 'Completed polls per target, by result.',
    labels: [...TARGET, 'result'],
    labelValues: { result: POLL_RESULTS },
    scope: 'process',
  },
  pollDuration: {
    name: 'monitor_poll_duration_seconds',
    type: 'histogram',
    help: 'Wall-clock duration of one poll, in seconds.',
    labels: TARGET,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120],
    scope: 'process',
  },
  pollStaleness: {
    name: 'monitor_poll_staleness_seconds',
    type: 'gauge',
    help: 'Seconds since the last successful poll of the target; -1 when it never succeeded.',
    labels: TARGET,
    scope: 'cluster',
  },
  pollQueueDepth: {
    name: 'monitor_poll_queue_depth',
    type: 'gauge',
    help: 'Poll jobs waiting in the scheduling queue.',
    labels: [],
    scope: 'cluster',
  },
  pollInflight: {
    name: 'monitor_poll_inflight',
    type: 'gauge',
    help: 'Polls currently running in this process.',
    labels: TYPE,
    scope: 'process',
  },
  pollErrors: {
    name: 'monitor_poll_errors_total',
    type: 'counter',
    help: 'Failed polls per target, by classified error type.',
    labels: [...TARGET, 'error_type'],
    labelValues: { error_type: POLL_ERROR_TYPES },
    scope: 'process',
  },
  pollLastSuccess: {
    name: 'monitor_poll_last_success_timestamp',
    type: 'gauge',
    help: 'Unix time (seconds) of the last successful poll of the target.',
    labels: TARGET,
    scope: 'cluster',
  },
  queueDueSoon: {
    name: 'scheduler_queue_due_soon',
    type: 'gauge',
    help: 'Scheduled poll jobs due within the next 12 seconds.',
    labels: [],
    scope: 'cluster',
  },
  queueDepth: {
    name: 'scheduler_queue_depth',
    type: 'gauge',
    help: 'Scheduled poll jobs per instance type.',
    labels: TYPE,
    scope: 'cluster',
  },
  queueWait: {
    name: 'scheduler_queue_wait_seconds',
    type: 'histogram',
    help: "Time from a poll job's due time to the start of its execution, in seconds.",
    labels: TYPE,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    scope: 'process',
  },
  deadLetterDepth: {
    name: 'scheduler_dead_letter_depth',
    type: 'gauge',
    help: 'Targets parked in the dead-letter queue.',
    labels: TARGET,
    scope: 'cluster',
  },
  breakerState: {
    name: 'scheduler_breaker_state',
    type: 'gauge',
    help: 'Circuit breaker state: 0 closed, 1 half_open, 2 open.',
    labels: TARGET,
    scope: 'cluster',
  },
  breakerFailures: {
    name: 'scheduler_breaker_failures',
    type: 'gauge',
    help: 'Consecutive failures counted by the circuit breaker.',
    labels: TARGET,
    scope: 'cluster',
  },
  breakerRetry: {
    name: 'scheduler_breaker_retry_seconds',
    type: 'gauge',
    help: 'Seconds until the open breaker lets a probe through; 0 when closed.',
    labels: TARGET,
    scope: 'cluster',
  },
  breakerTransitions: {
    name: 'scheduler_breaker_transitions_total',
    type: 'counter',
    help: 'Circuit breaker state transitions.',
    labels: [...TYPE, 'from', 'to'],
    labelValues: { from: BREAKER_STATES, to: BREAKER_STATES },
    scope: 'process',
  },
  deadLetterTransitions: {
    name: 'scheduler_dead_letter_transitions_total',
    type: 'counter',
    help: 'Targets entering (in) or leaving (out) the dead-letter queue, by reason.',
    labels: [...TYPE, 'direction', 'reason'],
    labelValues: { direction: DEAD_LETTER_DIRECTIONS, reason: DEAD_LETTER_REASONS },
    scope: 'process',
  },
  targets: {
    name: 'scheduler_targets',
    type: 'gauge',
    help: 'Registered poll targets per instance type.',
    labels: TYPE,
    scope: 'cluster',
  },
  maxInterval: {
    name: 'scheduler_max_interval_seconds',
    type: 'gauge',
    help: 'Configured maximum poll interval per instance type, in seconds.',
    labels: TYPE,
    scope: 'cluster',
  },
  replicasAlive: {
    name: 'scheduler_replicas_alive',
    type: 'gauge',
    help: 'Scheduler replicas with a live heartbeat and a running poll worker.',
    labels: [],
    scope: 'cluster',
  },
  engineErrors: {
    name: 'scheduler_engine_errors_total',
    type: 'counter',
    help: 'Unexpected errors in poll runs, by stage; each run was rescheduled (at commit: handed back by the stalled check).',
    labels: ['stage'],
    labelValues: { stage: ENGINE_ERROR_STAGES },
    scope: 'process',
  },
  persistenceUp: {
    name: 'scheduler_persistence_up',
    type: 'gauge',
    help: '1 when the persistence database answers, 0 otherwise.',
    labels: [],
    scope: 'process',
  },
  persistenceWriteFailures: {
    name: 'scheduler_persistence_write_failures_total',
    type: 'counter',
    help: 'Failed writes to the persistence database.',
    labels: [],
    scope: 'process',
  },
} as const satisfies Record<string, MetricDefinition>;

export type PollingMetricKey = keyof typeof POLLING_METRICS;

/** `<prefix>_<name>`. */
export function metricName(prefix: string, definition: Pick<MetricDefinition, 'name'>): string {
  return `${prefix}_${definition.name}`;
}

/** Every family with its full name under `prefix`, e.g. to document or check a scrape. */
export function pollingMetricCatalogue(prefix = DEFAULT_METRICS_PREFIX): MetricDefinition[] {
  return Object.values(POLLING_METRICS).map((definition) => ({ ...definition, name: metricName(prefix, definition) }));
}
