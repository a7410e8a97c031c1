import type { Provider, Type } from '@nestjs/common';
import type { ResolvedModuleConfig } from '../resolved-config';
import { ADAPTIVE_POLLING_CONFIG } from '../resolved-config';
import { AdaptivePollingApiGuard, ApiAuthGate } from './api-auth.guard';
import { AnswerBoundInterceptor } from './answer-bound.interceptor';
import { ADAPTIVE_POLLING_API_CONFIG, moduleEnvironment, resolveApiConfig } from './api-config';
import { MonitoringActionsController } from './monitoring-actions.controller';
import { MonitoringActionsService } from './monitoring-actions.service';
import { SchedulerHealthController } from './scheduler-health.controller';
import { SchedulerHealthService } from './scheduler-health.service';
import { TargetsController } from './targets.controller';
import { TargetsService } from './targets.service';

/** Controllers and providers of the health and management API, wired into AdaptivePollingModule. */
export const API_CONTROLLERS: Type<unknown>[] = [SchedulerHealthController, MonitoringActionsController, TargetsController];
export const API_PROVIDERS: Provider[] = [
  {
    // Resolved at start-up: without a token, a guard or `auth: false` the app does not start.
    provide: ADAPTIVE_POLLING_API_CONFIG,
    inject: [ADAPTIVE_POLLING_CONFIG],
    // `api: false` (no routes) needs no authentication of its own.
    useFactory: (config: ResolvedModuleConfig) =>
      resolveApiConfig(config.module.api === false ? { auth: false } : config.module.api, moduleEnvironment(config.module), config.routes),
  },
  ApiAuthGate,
  AdaptivePollingApiGuard,
  AnswerBoundInterceptor,
  SchedulerHealthService,
  MonitoringActionsService,
  TargetsService,
];
export const API_EXPORTS: Array<Type<unknown> | string | symbol> = [
  ADAPTIVE_POLLING_API_CONFIG,
  AdaptivePollingApiGuard,
  ApiAuthGate,
  SchedulerHealthService,
  MonitoringActionsService,
];
