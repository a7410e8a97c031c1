import { MonitoringActionsController } from './monitoring-actions.controller';
import { replayOpenApi } from './openapi-replay';
import { SchedulerHealthController } from './scheduler-health.controller';
import { TargetsController } from './targets.controller';

/** The controllers whose routes (and DTOs) are documented. */
const DOCUMENTED_CONTROLLERS: readonly object[] = [SchedulerHealthController, MonitoringActionsController, TargetsController];

/**
 * Applies the OpenAPI decorators of the library's routes and DTOs through
 * @nestjs/swagger (idempotent). Register the bearer scheme in your document:
 * `new DocumentBuilder().addBearerAuth(undefined, ADAPTIVE_POLLING_BEARER_AUTH)`.
 */
export function documentAdaptivePollingApi(): void {
  replayOpenApi([...DOCUMENTED_CONTROLLERS]);
}
