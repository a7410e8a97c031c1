/**
 * The public API of nestjs-adaptive-polling: what a Nest app writes against.
 * Integrations with optional peers have their own entries
 * (`nestjs-adaptive-polling/persistence`, `/prometheus`, `/bull-board`,
 * `/terminus`, `/swagger`); nothing here loads them. The exported names are
 * pinned by a test (public-api.spec.ts), so a change here is deliberate.
 */

// The module and its options
export { AdaptivePollingModule, type AdaptivePollingAsyncRoutes } from './nest/adaptive-polling.module';
export type { AdaptivePollingModuleOptions } from './nest/adaptive-polling.options';
export { validateAdaptivePollingOptions } from './nest/resolved-config';
export type { AdaptivePollingApiOptions, AdaptivePollingHealthIndicatorOptions } from './nest/api/api-options';
export { API_TOKEN_ENV } from './nest/api/api-options';
export { DEFAULT_API_BASE_PATH } from './nest/api/api-routes';
export type { AdaptivePollingMetricsOptions, StandaloneMetricsServerOptions } from './nest/metrics/metrics-options';
export type { AdaptivePollingReplicaOptions } from './nest/replicas/replica-options';
export type { AdaptivePollingHousekeepingOptions } from './nest/housekeeping/housekeeping-options';
export type { RedisConnectionInput } from './engine/redis-connection';
export type { DurationInput, PollingOptionsInput, TypePollingOptionsInput } from './core';
export type { TargetInput, TargetDefinition } from './core/target';

// Decorators and what a poller sees
export { Poller, PvePoller, PbsPoller, PmgPoller, type PollerOptions, type TypedPollerOptions } from './nest/poller.decorator';
export { withChangeSignal, type ChangeSignalFn, type SignalledResult } from './core/change-signal';
export type { PollContext, PollTarget } from './engine/poll-handler';

// Injectable services
export { TargetRegistryService } from './nest/target-registry.service';
export { PollingSchedulerService, type ScheduleInfo } from './nest/polling-scheduler.service';
export { BreakerService } from './nest/breaker.service';
export { StalenessService, type StalenessInfo } from './nest/staleness.service';
export { AuditTrailService } from './nest/audit/audit-trail.service';
export type { AuditRecord } from './nest/audit/audit-record';
export { HousekeepingService } from './nest/housekeeping/housekeeping.service';
export type { HousekeepingTask, HousekeepingOutcome, HousekeepingRunEvent } from './nest/housekeeping/housekeeping-task';

// Errors
export {
  TransientPollError,
  PermanentPollError,
  PollingOptionsError,
  InvalidDurationError,
  IntegrationPeersMissingError,
  IntegrationWithoutPollingModuleError,
  type PollErrorOptions,
} from './core/errors';
export { PollingStartupError } from './nest/polling-startup.error';
export { ApiConfigError } from './nest/api/api-config';
export { EngineInputError, TargetConflictError, TargetNotFoundError } from './engine/engine-errors';

// State, events and failure types
export type {
  BreakerStateName,
  Clock,
  ClassifiedFailure,
  DeadLetterReason,
  FailureCategory,
  FailureClassifier,
  FailureKind,
  OptionProblem,
  PollEvent,
  RandomSource,
  TargetPollState,
  TypePollingOptions,
  IntervalBounds,
} from './core/types';
export type { EngineEventMap, PollFinishedEvent, PollStartedEvent, TransitionEvent, OperatorActionEvent } from './engine/engine-events';

// Writing a custom interval policy
export type { IntervalPolicy, PolicyDecision, PolicyInput, PolicyStateJson } from './core/types';
export {
  clampMs,
  stalenessTargetMs,
  applyErrorPenaltyMs,
  applyBacklogStretchMs,
  smoothMs,
  applyJitterMs,
} from './core/policies/interval-terms';
export { parseDuration, formatDuration } from './core/duration';
