import { applyDecorators, UseGuards, UseInterceptors } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiParam,
  ApiQuery,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiServiceUnavailableResponse,
  ApiUnauthorizedResponse,
} from './openapi';
import { AdaptivePollingApiGuard } from './api-auth.guard';
import { AnswerBoundInterceptor } from './answer-bound.interceptor';
import { ApiErrorDto } from './monitoring-actions.dto';
import { DEFAULT_HEALTH_PAGE_LIMIT, MAX_HEALTH_PAGE_LIMIT } from './scheduler-health.builder';

/** OpenAPI tag of the health and management routes. */
export const ADAPTIVE_POLLING_API_TAG = 'adaptive-polling';
/**
 * Name of the bearer security scheme the routes declare; register it in your
 * document: `new DocumentBuilder().addBearerAuth(undefined, ADAPTIVE_POLLING_BEARER_AUTH)`.
 */
export const ADAPTIVE_POLLING_BEARER_AUTH = 'adaptive-polling-token';

/** Tag, bearer auth (guard and docs) and the 401/403/429 responses shared by every route. */
export function MonitoringApi(): ClassDecorator {
  return applyDecorators(
    ApiTags(ADAPTIVE_POLLING_API_TAG),
    ApiBearerAuth(ADAPTIVE_POLLING_BEARER_AUTH),
    ApiUnauthorizedResponse({ type: ApiErrorDto, description: 'Missing or wrong bearer token' }),
    ApiForbiddenResponse({ type: ApiErrorDto, description: 'Refused by the host guard (when api.guard is used)' }),
    ApiTooManyRequestsResponse({
      type: ApiErrorDto,
      description: 'Too many failed authentications from this address (10 per 60 s by default); see Retry-After',
    }),
    ApiServiceUnavailableResponse({ type: ApiErrorDto, description: 'Redis or the database did not answer in time' }),
    UseGuards(AdaptivePollingApiGuard),
    UseInterceptors(AnswerBoundInterceptor),
  );
}

/** The `:instance` parameter (a URL-encoded target key) and its 400/404 responses. */
export function TargetKeyParam(): MethodDecorator {
  return applyDecorators(
    ApiParam({
      name: 'instance',
      description: 'Target key "type::name", URL-encoded (pve::pve-1 is pve%3A%3Apve-1)',
      example: 'pve::pve-1',
      schema: { type: 'string' },
    }),
    ApiBadRequestResponse({ type: ApiErrorDto, description: 'Not a target key "type::name"' }),
    ApiNotFoundResponse({ type: ApiErrorDto, description: 'No target with this key is registered' }),
  );
}

/** The health route's `offset` / `limit` query parameters (a page of `instances[]`) and their 400. */
export function HealthPageQuery(): MethodDecorator {
  return applyDecorators(
    ApiQuery({
      name: 'offset',
      required: false,
      description: 'Position of the first instance in the key-sorted list',
      schema: { type: 'integer', minimum: 0, default: 0 },
    }),
    ApiQuery({
      name: 'limit',
      required: false,
      description: `Most instances to return (${MAX_HEALTH_PAGE_LIMIT} for a whole fleet of that size; 0 for none)`,
      schema: { type: 'integer', minimum: 0, maximum: MAX_HEALTH_PAGE_LIMIT, default: DEFAULT_HEALTH_PAGE_LIMIT },
    }),
    ApiBadRequestResponse({ type: ApiErrorDto, description: 'offset or limit is not a whole number in range (the message names each)' }),
  );
}
