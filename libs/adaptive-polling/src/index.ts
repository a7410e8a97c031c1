/**
 * The public API of the adaptive polling module. Everything a user imports
 * comes from here; the folders behind it are free to change.
 */

// Nest module, decorators and injectable services
export { AdaptivePollingModule } from './nest/adaptive-polling.module';
export {
  ADAPTIVE_POLLING_MODULE_OPTIONS,
  ADAPTIVE_POLLING_OPTIONS_TYPE,
  ADAPTIVE_POLLING_ASYNC_OPTIONS_TYPE,
} from './nest/adaptive-polling.module-definition';
export type { AdaptivePollingModuleOptions } from './nest/adaptive-polling.options';
export {
  Poller,
  PvePoller,
  PbsPoller,
  PmgPoller,
  type PollerOptions,
  type TypedPollerOptions,
} from './nest/poller.decorator';
export { TargetRegistryService } from './nest/target-registry.service';
export { PollingSchedulerService, type ScheduleInfo } from './nest/polling-scheduler.service';
export { BreakerService } from './nest/breaker.service';
export { StalenessService, type StalenessInfo } from './nest/staleness.service';
export { PollingEngineHost } from './nest/polling-engine.host';
export { PollingStartupError } from './nest/polling-startup.error';
export { ADAPTIVE_POLLING_CONFIG, type ResolvedModuleConfig } from './nest/resolved-config';

// What a poller sees and may throw
export type { PollContext, PollHandler, PollTarget } from './engine/poll-handler';
export { TransientPollError, PermanentPollError, PollingOptionsError, InvalidDurationError } from './core/errors';
export { EngineInputError, TargetConflictError, TargetNotFoundError } from './engine/engine-errors';

// The engine, for advanced use and tests
export { PollingEngine, type PollingEngineConfig, type TargetSnapshot } from './engine/polling-engine';
/** Reads the target state out of a poll job's `data` (compact or older object form). */
export { targetStateFromJobData } from './engine/job-state-codec';
export type { RedisConnectionInput } from './engine/redis-connection';
export type { EngineEventMap } from './engine/engine-events';

// The pure core: rules, policies, options
export * from './core';

// Health and management REST API, its auth, and the Terminus health indicator
export type { AdaptivePollingApiOptions, AdaptivePollingHealthIndicatorOptions } from './nest/api/api-options';
export { API_TOKEN_ENV } from './nest/api/api-options';
export { ADAPTIVE_POLLING_API_CONFIG, ApiConfigError, resolveApiConfig, type ResolvedApiConfig } from './nest/api/api-config';
export { ApiAuthSettings, type ApiAuthMode, type ApiTokenSource } from './nest/api/api-auth-settings';
export { AdaptivePollingApiGuard, ApiAuthGate } from './nest/api/api-auth.guard';
export { OperatorActor, actorFromUser } from './nest/api/operator-actor';
export { ADAPTIVE_POLLING_API_TAG, ADAPTIVE_POLLING_BEARER_AUTH } from './nest/api/api-docs.decorators';
export { SchedulerHealthService } from './nest/api/scheduler-health.service';
export { SchedulerHealthController } from './nest/api/scheduler-health.controller';
export {
  buildSchedulerHealth,
  summarizeSchedulerFleet,
  schedulerHealthPage,
  DUE_SOON_WINDOW_MS,
  DEAD_LETTER_TASK_LIMIT,
  DEFAULT_HEALTH_PAGE_LIMIT,
  MAX_HEALTH_PAGE_LIMIT,
  type HealthPageRequest,
  type SchedulerHealthExtras,
  type SchedulerHealthFleet,
  type SchedulerHealthOptions,
} from './nest/api/scheduler-health.builder';
export type * from './nest/api/scheduler-health.types';
export { safeConnectionSummary, isSecretFieldName } from './nest/api/safe-connection';
export { MonitoringActionsService, summarizeTargetState } from './nest/api/monitoring-actions.service';
export { MonitoringActionsController } from './nest/api/monitoring-actions.controller';
export type * from './nest/api/monitoring-actions.types';
export {
  AdaptivePollingHealthIndicator,
  type AdaptivePollingHealthDetails,
} from './nest/health/adaptive-polling.health-indicator';

// Prometheus metrics (/metrics through @willsoto/nestjs-prometheus, optional standalone server)
export { PollingMetricsService } from './nest/metrics/polling-metrics.service';
export { StandaloneMetricsServer } from './nest/metrics/standalone-metrics.server';
export {
  AdaptivePollingPrometheusModule,
  DEFAULT_METRICS_PATH,
  type AdaptivePollingPrometheusOptions,
} from './nest/metrics/adaptive-polling-prometheus.module';
export { createPollingMetricsController } from './nest/metrics/polling-metrics.controller';
export { scrapeWithDefaultRegistry, ensureDefaultProcessMetrics, type MetricsScrape } from './nest/metrics/metrics-scrape';
export {
  ADAPTIVE_POLLING_METRICS_OPTIONS,
  DEFAULT_STANDALONE_METRICS_HOST,
  DEFAULT_STANDALONE_METRICS_PORT,
  type AdaptivePollingMetricsOptions,
  type ResolvedMetricsOptions,
  type StandaloneMetricsServerOptions,
} from './nest/metrics/metrics-options';
export { resolveMetricsOptions } from './nest/metrics/resolve-metrics-options';
export {
  DEFAULT_METRICS_PREFIX,
  POLLING_METRICS,
  metricName,
  pollingMetricCatalogue,
  type MetricDefinition,
  type MetricType,
  type PollingMetricKey,
} from './nest/metrics/metric-definitions';
export {
  ALL_INSTANCES_LABEL_VALUE,
  BREAKER_STATE_VALUES,
  BREAKER_STATES,
  DEAD_LETTER_DIRECTIONS,
  DEAD_LETTER_REASONS,
  POLL_ERROR_TYPES,
  POLL_RESULTS,
  UNKNOWN_LABEL_VALUE,
  boundedLabel,
  labelValue,
  nonNegativeSeconds,
} from './nest/metrics/metric-labels';
export { snapshotGaugeValues, type GaugeSample, type SnapshotGaugeValues } from './nest/metrics/snapshot-gauges';

// Bull Board (opt-in), behind the API token
export { AdaptivePollingBullBoardModule } from './nest/bull-board/adaptive-polling-bull-board.module';
export {
  DEFAULT_BULL_BOARD_ROUTE,
  type AdaptivePollingBullBoardOptions,
} from './nest/bull-board/bull-board-options';
export { BullBoardConfigError, PollingQueueBoard } from './nest/bull-board/polling-queue-board';
export { BullBoardAuthGate, presentedSecret, type BoardAccess } from './nest/bull-board/bull-board-auth';
export { TokenMatcher } from './nest/token-matcher';

// Persistence (TypeORM: dead letters, audit trail, run-time targets, hourly rollups)
export type { AdaptivePollingPersistenceOptions } from './nest/persistence/persistence-options';
export {
  ADAPTIVE_POLLING_DATA_SOURCE,
  PERSISTENCE_ENTITIES,
  PERSISTENCE_MIGRATIONS,
  DatabaseConnection,
  PersistenceWriter,
  PersistenceQueryService,
  PollRollupRecorder,
  RollupFlushTask,
  DeadLetterSweepTask,
  type PersistenceWriterStatus,
  type AuditQuery,
  type PollRollup,
  type StoredDeadLetter,
} from './nest/persistence';

// Replica heartbeats and housekeeping
export {
  ReplicaDirectoryService,
  ReplicaHeartbeat,
  type ReplicaDetail,
  type AdaptivePollingReplicaOptions,
} from './nest/replicas';
export {
  HousekeepingService,
  JanitorTask,
  RedisLock,
  type AdaptivePollingHousekeepingOptions,
  type HousekeepingOutcome,
  type HousekeepingRunEvent,
  type HousekeepingTask,
} from './nest/housekeeping';
export {
  ADAPTIVE_POLLING_PERSISTENCE_STATUS,
  ADAPTIVE_POLLING_REPLICA_DIRECTORY,
  type PersistenceStatus,
  type PersistenceStatusSource,
  type ReplicaDirectory,
  type ReplicaInfo,
  type ReplicaStatus,
} from './nest/extension-points';
