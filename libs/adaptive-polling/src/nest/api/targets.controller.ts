import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
} from './openapi';
import { MonitoringApi, TargetKeyParam } from './api-docs.decorators';
import { ApiErrorDto } from './monitoring-actions.dto';
import { OperatorActor } from './operator-actor';
import { DEFAULT_TARGET_PAGE_LIMIT, MAX_TARGET_PAGE_LIMIT, invalidRequestError, parseTargetListQuery } from './target-body';
import { TargetKeyPipe } from './target-key.pipe';
import {
  CreateTargetDto,
  InvalidRequestDto,
  PollNowResultDto,
  TargetDetailViewDto,
  TargetPageDto,
  TargetViewDto,
  UpdateTargetDto,
} from './targets.dto';
import { TargetsService } from './targets.service';
import type { PollNowResult, TargetDetailView, TargetPage, TargetView } from './targets.types';

const INVALID_BODY = { type: InvalidRequestDto, description: 'The body names every bad field at once (problems[])' };

/**
 * Target management: list, create, read, change, delete, poll now. Changes
 * are audited with the caller's actor; connection secrets are accepted and
 * never returned.
 */
@MonitoringApi()
@Controller('targets')
export class TargetsController {
  constructor(private readonly targets: TargetsService) {}

  @Get()
  @ApiOperation({
    summary: 'List targets',
    description: 'One page of the key-sorted registry, optionally of one type; `total` counts all pages.',
  })
  @ApiQuery({ name: 'offset', required: false, schema: { type: 'integer', minimum: 0, default: 0 } })
  @ApiQuery({
    name: 'limit',
    required: false,
    schema: { type: 'integer', minimum: 0, maximum: MAX_TARGET_PAGE_LIMIT, default: DEFAULT_TARGET_PAGE_LIMIT },
  })
  @ApiQuery({ name: 'type', required: false, description: 'Only targets of this type', schema: { type: 'string' } })
  @ApiOkResponse({ type: TargetPageDto })
  @ApiBadRequestResponse({ type: InvalidRequestDto, description: 'Names every bad query parameter (problems[])' })
  list(@Query() query: unknown): Promise<TargetPage> {
    const { value, problems } = parseTargetListQuery(query);
    if (problems.length > 0) throw invalidRequestError(problems);
    return this.targets.list(value);
  }

  @Post()
  @ApiOperation({ summary: 'Register a target', description: 'Polled at once; audited as target.add.' })
  @ApiBody({ type: CreateTargetDto })
  @ApiCreatedResponse({ type: TargetViewDto })
  @ApiBadRequestResponse(INVALID_BODY)
  @ApiConflictResponse({ type: ApiErrorDto, description: 'A target with this key is already registered' })
  create(@Body() body: unknown, @OperatorActor() actor: string): Promise<TargetView> {
    return this.targets.create(body, actor);
  }

  @Get(':instance')
  @ApiOperation({ summary: 'One target', description: 'Its definition (secrets left out), schedule and state.' })
  @TargetKeyParam()
  @ApiOkResponse({ type: TargetDetailViewDto })
  get(@Param('instance', TargetKeyPipe) key: string): Promise<TargetDetailView> {
    return this.targets.get(key);
  }

  @Patch(':instance')
  @ApiOperation({
    summary: 'Change a target',
    description:
      'connection and metadata are JSON merge patches (a secret need not be sent again); the next poll uses the change. ' +
      'Audited as target.update (and target.pause / target.resume for paused).',
  })
  @TargetKeyParam()
  @ApiBody({ type: UpdateTargetDto })
  @ApiOkResponse({ type: TargetViewDto })
  @ApiBadRequestResponse(INVALID_BODY)
  update(@Param('instance', TargetKeyPipe) key: string, @Body() body: unknown, @OperatorActor() actor: string): Promise<TargetView> {
    return this.targets.update(key, body, actor);
  }

  @Delete(':instance')
  @ApiOperation({ summary: 'Delete a target', description: 'Removes it and its job: it is not polled again. Audited as target.remove.' })
  @TargetKeyParam()
  @ApiOkResponse({ type: TargetViewDto, description: 'The target as it was' })
  remove(@Param('instance', TargetKeyPipe) key: string, @OperatorActor() actor: string): Promise<TargetView> {
    return this.targets.remove(key, actor);
  }

  @Post(':instance/poll')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Poll a target now',
    description: 'Its job becomes due now (breaker and dead-letter gates still apply); audited as target.poll.',
  })
  @TargetKeyParam()
  @ApiAcceptedResponse({ type: PollNowResultDto })
  pollNow(@Param('instance', TargetKeyPipe) key: string, @OperatorActor() actor: string): Promise<PollNowResult> {
    return this.targets.pollNow(key, actor);
  }
}
