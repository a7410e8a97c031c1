import { ApiProperty, ApiPropertyOptional } from './openapi';
import {
  BREAKER_STATES as CORE_BREAKER_STATES,
  DEAD_LETTER_REASONS as CORE_DEAD_LETTER_REASONS,
  FAILURE_CATEGORIES as CORE_FAILURE_CATEGORIES,
  FAILURE_KINDS as CORE_FAILURE_KINDS,
  type BreakerStateName,
  type DeadLetterReason,
  type FailureCategory,
  type FailureKind,
} from '../../core/types';
import type { ReplicaStatus } from '../extension-points';
import type {
  BreakerHealth,
  DeadLetterHealth,
  DeadLetterTaskHealth,
  HealthPage,
  InstanceBreakerHealth,
  InstanceDeadLetterHealth,
  InstanceHealth,
  LastErrorHealth,
  PersistenceHealth,
  PollStatusHealth,
  QueueHealth,
  ReplicaHealth,
  SafeConnection,
  SchedulerHealth,
  StalenessHealth,
} from './scheduler-health.types';

/*
 * OpenAPI schema of the scheduler health document. Each class implements the
 * interface the builder returns, so the schema cannot drift from the data.
 */

// Enum lists for OpenAPI: the core's own, mutable copies as Swagger expects arrays.
const BREAKER_STATES: BreakerStateName[] = [...CORE_BREAKER_STATES];
const DEAD_LETTER_REASONS: DeadLetterReason[] = [...CORE_DEAD_LETTER_REASONS];
const FAILURE_KINDS: FailureKind[] = [...CORE_FAILURE_KINDS];
const FAILURE_CATEGORIES: FailureCategory[] = [...CORE_FAILURE_CATEGORIES];
const REPLICA_STATUSES: ReplicaStatus[] = ['alive', 'scaled_down', 'crashed'];

const time = (description: string) => ({ type: String, format: 'date-time', nullable: true, description });

export class QueueHealthDto implements QueueHealth {
  @ApiProperty({ description: 'Scheduled jobs of targets that are neither paused nor dead-lettered', example: 12 })
  depth!: number;
  @ApiProperty({ description: 'How many of them are due within the next 12 seconds', example: 3 })
  dueWithinSeconds!: number;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer' },
    description: 'Depth per target type (types sorted); {} when empty',
    example: { pbs: 4, pve: 8 },
  })
  perType!: Record<string, number>;
}

export class DeadLetterTaskHealthDto implements DeadLetterTaskHealth {
  @ApiProperty({ description: 'Target name', example: 'pve-1' }) instance!: string;
  @ApiProperty({ example: 'pve' }) type!: string;
  @ApiProperty({ description: 'Target key type::name', example: 'pve::pve-1' }) key!: string;
  @ApiProperty({ type: String, format: 'date-time', description: 'When the one retry attempt runs' })
  nextRun!: string;
  @ApiProperty({ description: 'Last error, secrets redacted' }) lastError!: string;
  @ApiProperty({ description: 'Consecutive failures when parked' }) failures!: number;
  @ApiProperty({ enum: DEAD_LETTER_REASONS }) reason!: DeadLetterReason;
}

export class DeadLetterHealthDto implements DeadLetterHealth {
  @ApiProperty() count!: number;
  @ApiProperty({ type: [DeadLetterTaskHealthDto], description: 'Up to 25, soonest retry first' })
  tasks!: DeadLetterTaskHealthDto[];
}

export class BreakerHealthDto implements BreakerHealth {
  @ApiProperty() instance!: string;
  @ApiProperty() type!: string;
  @ApiProperty() key!: string;
  @ApiProperty({ enum: BREAKER_STATES }) state!: BreakerStateName;
  @ApiProperty() failures!: number;
  @ApiProperty(time('End of the open window (when the half-open probe may run)')) retryAt!: string | null;
}

export class StalenessHealthDto implements StalenessHealth {
  @ApiProperty() instance!: string;
  @ApiProperty() type!: string;
  @ApiProperty() key!: string;
  @ApiProperty({ description: 'min(age since last success / max interval, 1); 1 if never succeeded', example: 0.12 })
  score!: number;
  @ApiProperty(time('Last successful poll')) lastSuccess!: string | null;
  @ApiProperty(time('Last failed poll')) lastError!: string | null;
}

export class LastErrorHealthDto implements LastErrorHealth {
  @ApiProperty({ type: String, format: 'date-time' }) at!: string;
  @ApiProperty({ description: 'Secrets redacted' }) message!: string;
  @ApiProperty({ enum: FAILURE_KINDS }) kind!: FailureKind;
  @ApiProperty({ enum: FAILURE_CATEGORIES }) category!: FailureCategory;
}

class PollTotalsDto {
  @ApiProperty() polls!: number;
  @ApiProperty() failures!: number;
  @ApiProperty() changes!: number;
}

export class PollStatusHealthDto implements PollStatusHealth {
  @ApiProperty(time('Last poll')) lastPoll!: string | null;
  @ApiProperty(time('Last successful poll')) lastSuccess!: string | null;
  @ApiProperty(time('When the poll result last changed')) lastChange!: string | null;
  @ApiProperty({ type: LastErrorHealthDto, nullable: true }) lastError!: LastErrorHealthDto | null;
  @ApiProperty() consecutiveFailures!: number;
  @ApiProperty() stalenessScore!: number;
  @ApiProperty({ type: PollTotalsDto }) totals!: PollTotalsDto;
}

export class InstanceBreakerHealthDto implements InstanceBreakerHealth {
  @ApiProperty({ enum: BREAKER_STATES }) state!: BreakerStateName;
  @ApiProperty() failures!: number;
  @ApiProperty({ description: 'Incremented on every transition and operator reset' }) generation!: number;
  @ApiProperty(time('When the breaker opened')) openedAt!: string | null;
  @ApiProperty(time('End of the open window')) retryAt!: string | null;
}

export class InstanceDeadLetterHealthDto implements InstanceDeadLetterHealth {
  @ApiProperty() present!: boolean;
  @ApiProperty({ enum: DEAD_LETTER_REASONS, nullable: true }) reason!: DeadLetterReason | null;
  @ApiProperty(time('When the target was parked')) enteredAt!: string | null;
  @ApiProperty(time('When its one retry attempt runs')) retryAt!: string | null;
  @ApiProperty() failures!: number;
  @ApiProperty({ type: String, nullable: true, description: 'Secrets redacted' }) lastError!: string | null;
  @ApiProperty({ description: 'Times parked in a row' }) parkedCount!: number;
}

export class InstanceHealthDto implements InstanceHealth {
  @ApiProperty({ example: 'pve::pve-1' }) key!: string;
  @ApiProperty({ example: 'pve' }) type!: string;
  @ApiProperty({ example: 'PVE cluster 1' }) displayName!: string;
  @ApiProperty({ description: 'Target name', example: 'pve-1' }) instance!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'Safe summary: secret-named fields dropped, URL credentials masked',
    example: { baseUrl: 'https://pve-1.example:8006' },
  })
  connection!: SafeConnection;
  @ApiProperty({ type: PollStatusHealthDto }) pollStatus!: PollStatusHealthDto;
  @ApiProperty({ type: InstanceBreakerHealthDto }) breaker!: InstanceBreakerHealthDto;
  @ApiProperty({ type: InstanceDeadLetterHealthDto }) deadLetter!: InstanceDeadLetterHealthDto;
  @ApiProperty({ type: [String], description: 'Problems, sorted; [] when healthy' }) warnings!: string[];
  @ApiProperty({ type: Number, nullable: true, description: 'Interval chosen after the last poll, ms' })
  currentIntervalMs!: number | null;
  @ApiProperty(time('Next poll')) nextRun!: string | null;
  @ApiProperty() paused!: boolean;
  @ApiProperty({ description: 'A poll is running now (any replica)' }) running!: boolean;
  @ApiProperty({ description: 'The target has its job in Redis' }) scheduled!: boolean;
}

export class ReplicaHealthDto implements ReplicaHealth {
  @ApiProperty() id!: string;
  @ApiProperty({ enum: REPLICA_STATUSES }) status!: ReplicaStatus;
  @ApiProperty(time('Last heartbeat')) lastHeartbeat!: string | null;
  @ApiProperty(time('Start')) startedAt!: string | null;
  @ApiProperty({ type: Boolean, nullable: true, description: 'Its poll worker runs (last heartbeat); null when not alive' })
  workerRunning!: boolean | null;
}

export class PersistenceHealthDto implements PersistenceHealth {
  @ApiProperty({ description: 'The database answers' }) up!: boolean;
  @ApiProperty() pendingWrites!: number;
  @ApiProperty(time('Last database error')) lastErrorAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) lastError!: string | null;
}

export class HealthPageDto implements HealthPage {
  @ApiProperty({ description: 'Position of the first entry of instances in the key-sorted list', example: 0 })
  offset!: number;
  @ApiProperty({ description: 'Most entries asked for (instances is shorter at the end of the list)', example: 500 })
  limit!: number;
  @ApiProperty({ description: 'Instances in the fleet', example: 10000 }) total!: number;
}

export class SchedulerHealthDto implements SchedulerHealth {
  @ApiProperty({ type: String, format: 'date-time' }) updatedAt!: string;
  @ApiProperty({ description: 'Adaptive polling on (off: fixed cadence per type)' }) enabled!: boolean;
  @ApiProperty({ type: QueueHealthDto }) queue!: QueueHealthDto;
  @ApiProperty({ type: DeadLetterHealthDto }) deadLetter!: DeadLetterHealthDto;
  @ApiProperty({ type: [BreakerHealthDto], description: 'Breakers not closed or with failures, by key' })
  breakers!: BreakerHealthDto[];
  @ApiProperty({
    type: [StalenessHealthDto],
    description: 'The stalest targets (at most 100): highest score first, then the oldest last success, then by key',
  })
  staleness!: StalenessHealthDto[];
  @ApiProperty({ type: [InstanceHealthDto], description: 'One page of the targets, by key (see page)' })
  instances!: InstanceHealthDto[];
  @ApiProperty({ type: HealthPageDto, description: 'Which slice of the key-sorted targets instances is' })
  page!: HealthPageDto;
  @ApiPropertyOptional({ type: [ReplicaHealthDto], description: 'When replica heartbeats are on, by id' })
  replicas?: ReplicaHealthDto[];
  @ApiPropertyOptional({ description: 'Instead of replicas when the heartbeats could not be read' })
  replicasError?: string;
  @ApiPropertyOptional({ type: PersistenceHealthDto, description: 'When persistence is on' })
  persistence?: PersistenceHealthDto;
}
