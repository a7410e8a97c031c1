import { ApiProperty } from './openapi';
import { DEAD_LETTER_REASONS, type BreakerStateName, type DeadLetterReason } from '../../core/types';
import type { ManagementAction, RetryAllResult, TargetActionResult, TargetStateSummary } from './monitoring-actions.types';

/* OpenAPI schemas of the management responses and errors. */

const MANAGEMENT_ACTIONS: ManagementAction[] = ['breaker.reset', 'dlq.retry', 'dlq.purge', 'target.pause', 'target.resume'];

class SummaryBreakerDto {
  @ApiProperty({ enum: ['closed', 'open', 'half_open'] }) state!: BreakerStateName;
  @ApiProperty() failures!: number;
  @ApiProperty() generation!: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) retryAt!: string | null;
}

class SummaryDeadLetterDto {
  @ApiProperty({ enum: DEAD_LETTER_REASONS }) reason!: DeadLetterReason;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) retryAt!: string | null;
  @ApiProperty() failures!: number;
  @ApiProperty({ description: 'Secrets redacted' }) lastError!: string;
}

export class TargetStateSummaryDto implements TargetStateSummary {
  @ApiProperty() paused!: boolean;
  @ApiProperty({ type: SummaryBreakerDto }) breaker!: SummaryBreakerDto;
  @ApiProperty({ type: SummaryDeadLetterDto, nullable: true }) deadLetter!: SummaryDeadLetterDto | null;
  @ApiProperty() consecutiveFailures!: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'null while paused' })
  nextRun!: string | null;
}

export class TargetActionResultDto implements TargetActionResult {
  @ApiProperty({ enum: MANAGEMENT_ACTIONS }) action!: ManagementAction;
  @ApiProperty({ description: 'Target key type::name', example: 'pve::pve-1' }) instance!: string;
  @ApiProperty({ description: 'Audit actor', example: 'operator:token' }) actor!: string;
  @ApiProperty({ type: String, format: 'date-time', description: 'When it was applied (while queued: asked)' }) at!: string;
  @ApiProperty({ description: 'true (200): before/after are what the engine applied; false (202): queued, both null' })
  applied!: boolean;
  @ApiProperty({ type: TargetStateSummaryDto, nullable: true }) before!: TargetStateSummaryDto | null;
  @ApiProperty({ type: TargetStateSummaryDto, nullable: true, description: 'The state the engine applied' })
  after!: TargetStateSummaryDto | null;
}

class RetryAllEntryDto {
  @ApiProperty({ example: 'pve::pve-1' }) instance!: string;
  @ApiProperty({ type: TargetStateSummaryDto, description: 'Its state when queued' }) before!: TargetStateSummaryDto;
}

export class RetryAllResultDto implements RetryAllResult {
  @ApiProperty({ enum: ['dlq.retry_all'] }) action!: 'dlq.retry_all';
  @ApiProperty({ example: 'operator:token' }) actor!: string;
  @ApiProperty({ type: String, format: 'date-time' }) at!: string;
  @ApiProperty({ description: 'Dead-lettered targets retried now' }) count!: number;
  @ApiProperty({ type: [RetryAllEntryDto], description: 'By key; each retry is audited as dlq.retry when applied' })
  results!: RetryAllEntryDto[];
}

/** The JSON body of every error response. */
export class ApiErrorDto {
  @ApiProperty({ example: 404 }) statusCode!: number;
  @ApiProperty({ example: 'Not Found' }) error!: string;
  @ApiProperty({ example: 'no target "pve::nope" is registered' }) message!: string;
}
