import { Inject, Injectable, ServiceUnavailableException, type CallHandler, type NestInterceptor } from '@nestjs/common';
import { Observable, from, lastValueFrom } from 'rxjs';
import { DependencyUnavailableError, withinAnswerBound } from '../answer-bound';
import { PollingEngineHost } from '../polling-engine.host';
import { ADAPTIVE_POLLING_API_CONFIG, type ResolvedApiConfig } from './api-config';

/**
 * Health and management routes answer within `api.answerTimeoutMs`: 503 at
 * once while Redis is not connected (nothing is queued to run when it
 * returns), 503 when Redis or the database takes longer than the bound.
 */
@Injectable()
export class AnswerBoundInterceptor implements NestInterceptor {
  constructor(
    private readonly host: PollingEngineHost,
    @Inject(ADAPTIVE_POLLING_API_CONFIG) private readonly apiConfig: ResolvedApiConfig,
  ) {}

  intercept(_context: unknown, next: CallHandler): Observable<unknown> {
    return from(
      withinAnswerBound(this.host, this.apiConfig.answerTimeoutMs, () => lastValueFrom(next.handle(), { defaultValue: undefined })).catch(
        (error: unknown) => {
          if (error instanceof DependencyUnavailableError) throw new ServiceUnavailableException(error.message);
          throw error;
        },
      ),
    );
  }
}
