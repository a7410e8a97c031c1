import { ApiProperty, ApiPropertyOptional } from './openapi';
import { TargetStateSummaryDto } from './monitoring-actions.dto';
import type { SafeConnection } from './scheduler-health.types';
import type { PollNowResult, PollNowSkipReason, TargetDetailView, TargetPage, TargetView } from './targets.types';

/* OpenAPI schemas of the target management routes. */

const SAFE_OBJECT = {
  type: 'object',
  additionalProperties: true,
  description: 'Secret-named fields left out, URL credentials masked: secrets are write-only',
  example: { baseUrl: 'https://pve-1.example:8006' },
};

/** `POST /targets`: name and type are required (they make the key `type::name`). */
export class CreateTargetDto {
  @ApiProperty({ example: 'pve-1', description: 'Unique within its type; at most 200 characters, no control characters' }) name!: string;
  @ApiProperty({ example: 'pve', description: 'A type a poller handles: 1-64 letters, digits, "-" or "_"' }) type!: string;
  @ApiPropertyOptional({ example: 'PVE cluster 1', description: 'Default: the name' }) displayName?: string;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'Handed to the poller; may hold secrets (never returned)',
    example: { baseUrl: 'https://pve-1.example:8006', tokenId: 'monitor@pve!poll', tokenSecret: '...' },
  })
  connection?: Record<string, unknown>;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'Free data handed to the poller' })
  metadata?: Record<string, unknown>;
  @ApiPropertyOptional({ type: Number, nullable: true, description: 'Fixed interval (ms) bypassing the policy; null for none' })
  fixedIntervalMs?: number | null;
  @ApiPropertyOptional({ default: false, description: 'Registered but not polled until resumed' }) paused?: boolean;
}

/** `PATCH /targets/:instance`: any of these; name and type cannot change. */
export class UpdateTargetDto {
  @ApiPropertyOptional({ example: 'PVE cluster 1' }) displayName?: string;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'JSON merge patch (RFC 7396) of the connection: members given replace, null removes one, the rest are kept',
    example: { baseUrl: 'https://pve-1b.example:8006' },
  })
  connection?: Record<string, unknown>;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'JSON merge patch of the metadata' })
  metadata?: Record<string, unknown>;
  @ApiPropertyOptional({ type: Number, nullable: true, description: 'Fixed interval (ms); null goes back to the policy' })
  fixedIntervalMs?: number | null;
  @ApiPropertyOptional({ description: 'true pauses, false resumes (audited as target.pause / target.resume)' }) paused?: boolean;
}

export class TargetViewDto implements TargetView {
  @ApiProperty({ description: 'Target key type::name', example: 'pve::pve-1' }) instance!: string;
  @ApiProperty({ example: 'pve-1' }) name!: string;
  @ApiProperty({ example: 'pve' }) type!: string;
  @ApiProperty({ example: 'PVE cluster 1' }) displayName!: string;
  @ApiProperty(SAFE_OBJECT) connection!: SafeConnection;
  @ApiProperty({ ...SAFE_OBJECT, example: {} }) metadata!: SafeConnection;
  @ApiProperty({ type: Number, nullable: true }) fixedIntervalMs!: number | null;
  @ApiProperty() paused!: boolean;
}

export class TargetDetailViewDto extends TargetViewDto implements TargetDetailView {
  @ApiProperty({ description: 'False between a Redis flush and the rebuild of its job' }) scheduled!: boolean;
  @ApiProperty({ description: 'A poll of it is running now' }) running!: boolean;
  @ApiProperty({ type: Number, nullable: true, description: 'Interval chosen after its last poll (ms)' }) intervalMs!: number | null;
  @ApiProperty({ type: TargetStateSummaryDto, nullable: true, description: 'null before its first run' })
  state!: TargetStateSummaryDto | null;
}

export class TargetPageDto implements TargetPage {
  @ApiProperty({ description: 'Targets matching the filter, over all pages' }) total!: number;
  @ApiProperty() offset!: number;
  @ApiProperty() limit!: number;
  @ApiProperty({ type: [TargetViewDto], description: 'Sorted by key' }) items!: TargetViewDto[];
}

const SKIP_REASONS: PollNowSkipReason[] = ['paused', 'running', 'already_due', 'not_scheduled'];

export class PollNowResultDto implements PollNowResult {
  @ApiProperty({ enum: ['target.poll'] }) action!: 'target.poll';
  @ApiProperty({ example: 'pve::pve-1' }) instance!: string;
  @ApiProperty({ example: 'operator:token' }) actor!: string;
  @ApiProperty({ type: String, format: 'date-time' }) at!: string;
  @ApiProperty({ description: 'true: due now (breaker and dead-letter gates still apply in that run)' }) triggered!: boolean;
  @ApiProperty({ enum: SKIP_REASONS, nullable: true, description: 'Why not, when triggered is false' })
  reason!: PollNowSkipReason | null;
}

class ProblemDto {
  @ApiProperty({ example: 'body.type' }) field!: string;
  @ApiProperty({ example: 'must be 1-64 letters, digits, "-" or "_", starting with a letter or digit (e.g. pve)' }) message!: string;
}

/** A 400 of the target routes: every bad field at once. */
export class InvalidRequestDto {
  @ApiProperty({ example: 400 }) statusCode!: number;
  @ApiProperty({ example: 'Bad Request' }) error!: string;
  @ApiProperty({ example: 'invalid request: body.name must be a non-empty string; body.type must be ...' }) message!: string;
  @ApiProperty({ type: [ProblemDto] }) problems!: ProblemDto[];
}
