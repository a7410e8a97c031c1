import { Controller, Delete, HttpCode, HttpStatus, Param, Post, Res } from '@nestjs/common';
/** The one thing used of the platform's response: its status. */
type Response = { status(code: number): unknown };
import { ApiConflictResponse, ApiOkResponse, ApiOperation } from './openapi';
import { MonitoringApi, TargetKeyParam } from './api-docs.decorators';
import { ApiErrorDto, RetryAllResultDto, TargetActionResultDto } from './monitoring-actions.dto';
import { MonitoringActionsService } from './monitoring-actions.service';
import type { RetryAllResult, TargetActionResult } from './monitoring-actions.types';
import { OperatorActor } from './operator-actor';
import { TargetKeyPipe } from './target-key.pipe';

const NOT_DEAD_LETTERED = { type: ApiErrorDto, description: 'The target is not in the dead-letter queue' };

/** 200 with what the engine applied; 202 with the queued action when it was not applied within the wait. */
async function acceptedUnlessApplied(result: Promise<TargetActionResult>, res: Response): Promise<TargetActionResult> {
  const done = await result;
  if (!done.applied) res.status(HttpStatus.ACCEPTED);
  return done;
}

/**
 * Operator actions. Each is audited by the engine when applied (actor,
 * action, asked-at and applied-at, the state before and after it applied).
 * Breaker and dead-letter actions wait up to 5 s for the run that applies
 * them: 200 with the applied before/after, or 202 with the queued action. Retrying or purging a
 * target that is not dead-lettered is a 409 Conflict: the target exists, its
 * state does not allow the action.
 */
@MonitoringApi()
@Controller()
export class MonitoringActionsController {
  constructor(private readonly actions: MonitoringActionsService) {}

  @Post('breakers/:instance/reset')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Reset a circuit breaker', description: 'Closes the breaker (new generation); a blocked target polls at once.' })
  @TargetKeyParam()
  @ApiOkResponse({ type: TargetActionResultDto })
  resetBreaker(
    @Param('instance', TargetKeyPipe) key: string,
    @OperatorActor() actor: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TargetActionResult> {
    return acceptedUnlessApplied(this.actions.resetBreaker(key, actor), res);
  }

  @Post('dlq/retry')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Retry every dead-letter entry now', description: 'Each parked target gets its one retry attempt now.' })
  @ApiOkResponse({ type: RetryAllResultDto })
  retryAll(@OperatorActor() actor: string): Promise<RetryAllResult> {
    return this.actions.retryAllDeadLetters(actor);
  }

  @Post('dlq/:instance/retry')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Retry one dead-letter entry now', description: 'Success takes it out of the DLQ; failure parks it again.' })
  @TargetKeyParam()
  @ApiOkResponse({ type: TargetActionResultDto })
  @ApiConflictResponse(NOT_DEAD_LETTERED)
  retry(
    @Param('instance', TargetKeyPipe) key: string,
    @OperatorActor() actor: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TargetActionResult> {
    return acceptedUnlessApplied(this.actions.retryDeadLetter(key, actor), res);
  }

  @Delete('dlq/:instance')
  @ApiOperation({
    summary: 'Purge a dead-letter entry',
    description: 'Removes the entry; the target starts afresh (failures cleared, breaker closed) one base interval later.',
  })
  @TargetKeyParam()
  @ApiOkResponse({ type: TargetActionResultDto })
  @ApiConflictResponse(NOT_DEAD_LETTERED)
  purge(
    @Param('instance', TargetKeyPipe) key: string,
    @OperatorActor() actor: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TargetActionResult> {
    return acceptedUnlessApplied(this.actions.purgeDeadLetter(key, actor), res);
  }

  @Post('instances/:instance/pause')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Pause an instance', description: 'No polls until resumed; its state is kept.' })
  @TargetKeyParam()
  @ApiOkResponse({ type: TargetActionResultDto })
  pause(@Param('instance', TargetKeyPipe) key: string, @OperatorActor() actor: string): Promise<TargetActionResult> {
    return this.actions.pause(key, actor);
  }

  @Post('instances/:instance/resume')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Resume an instance', description: 'Due at once (breaker and dead-letter gates still apply).' })
  @TargetKeyParam()
  @ApiOkResponse({ type: TargetActionResultDto })
  resume(@Param('instance', TargetKeyPipe) key: string, @OperatorActor() actor: string): Promise<TargetActionResult> {
    return this.actions.resume(key, actor);
  }
}
