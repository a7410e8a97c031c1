import { AuthFailureLimiter, DEFAULT_AUTH_FAILURE_LIMIT } from '../../core/auth-failure-limiter';
import type { OptionProblem } from '../../core/types';
import type { AdaptivePollingModuleOptions } from '../adaptive-polling.options';
import { ApiAuthSettings } from './api-auth-settings';
import {
  API_AUTH_VALUE,
  API_GUARD_NOT_CLASS,
  AUTH_FALSE_CONFLICT,
  NON_NEGATIVE_INTEGER,
  NO_API_AUTH,
  POSITIVE_INTEGER,
  apiConfigSummary,
} from './api-messages';
import {
  API_TOKEN_ENV,
  DEFAULT_HEALTH_CACHE_MS,
  DEFAULT_HEALTH_INDICATOR_TIMEOUT_MS,
  DEFAULT_MAX_DEAD_LETTERS,
  type AdaptivePollingApiOptions,
} from './api-options';
import { DEFAULT_API_BASE_PATH, type ApiRoutes } from './api-routes';
import { tokenProblem } from '../token-rules';
import { DEFAULT_ANSWER_TIMEOUT_MS } from '../answer-bound';

/** The API's options after defaults and env, validated at start-up. */
export interface ResolvedApiConfig {
  auth: ApiAuthSettings;
  /** Failed authentication per client address, shared by every surface behind this API's auth. */
  authFailures: AuthFailureLimiter;
  /** Where the routes are mounted, or not served (`api: false`). */
  routes: ApiRoutes;
  healthCacheMs: number;
  answerTimeoutMs: number;
  healthIndicator: { maxDeadLetters: number; timeoutMs: number };
}

/** Injection token of the resolved API configuration (`ResolvedApiConfig`). */
export const ADAPTIVE_POLLING_API_CONFIG = Symbol('ADAPTIVE_POLLING_API_CONFIG');

/** The API cannot start as configured; lists every problem. Never contains the token. */
export class ApiConfigError extends Error {
  override readonly name = 'ApiConfigError';
  constructor(readonly problems: OptionProblem[]) {
    super(apiConfigSummary(problems.map((p) => `${p.field}: ${p.message}`)));
  }
}

function isClass(value: unknown): value is AdaptivePollingApiOptions['guard'] & object {
  return typeof value === 'function' && typeof (value as { prototype?: unknown }).prototype === 'object';
}

function readInteger(value: unknown, field: string, fallback: number, min: 0 | 1, problems: OptionProblem[]): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    problems.push({ field, message: min === 0 ? NON_NEGATIVE_INTEGER : POSITIVE_INTEGER });
    return fallback;
  }
  return value;
}

/** The environment the module reads (its `env` option; default process.env; `false` = none). */
export function moduleEnvironment(options: AdaptivePollingModuleOptions): Record<string, string | undefined> {
  return options.env === false ? {} : (options.env ?? process.env);
}

/**
 * Resolves the API's authentication and thresholds. With no token, no guard
 * and no explicit `auth: false` it throws: the routes are never served
 * unauthenticated by accident.
 */
export function resolveApiConfig(
  options: AdaptivePollingApiOptions | undefined,
  env: Record<string, string | undefined>,
  routes: ApiRoutes = { served: true, basePath: DEFAULT_API_BASE_PATH },
): ResolvedApiConfig {
  const api = options ?? {};
  const problems: OptionProblem[] = [];

  const codeToken = api.token;
  const codeTokenProblem = codeToken === undefined ? null : tokenProblem(codeToken);
  if (codeTokenProblem) problems.push({ field: 'api.token', message: codeTokenProblem });
  const envToken = (env[API_TOKEN_ENV] ?? '').trim();
  const envTokenProblem = envToken === '' ? null : tokenProblem(envToken);
  if (envTokenProblem) problems.push({ field: API_TOKEN_ENV, message: envTokenProblem });
  if (api.guard !== undefined && !isClass(api.guard)) {
    problems.push({ field: 'api.guard', message: API_GUARD_NOT_CLASS });
  }
  if (api.auth !== undefined && api.auth !== false) {
    problems.push({ field: 'api.auth', message: API_AUTH_VALUE });
  }
  if (api.auth === false && (codeToken !== undefined || api.guard !== undefined)) {
    problems.push({ field: 'api.auth', message: AUTH_FALSE_CONFLICT });
  }

  const healthCacheMs = readInteger(api.healthCacheMs, 'api.healthCacheMs', DEFAULT_HEALTH_CACHE_MS, 0, problems);
  const answerTimeoutMs = readInteger(api.answerTimeoutMs, 'api.answerTimeoutMs', DEFAULT_ANSWER_TIMEOUT_MS, 1, problems);
  const indicator = api.healthIndicator ?? {};
  const maxDeadLetters = readInteger(indicator.maxDeadLetters, 'api.healthIndicator.maxDeadLetters', DEFAULT_MAX_DEAD_LETTERS, 0, problems);
  const timeoutMs = readInteger(indicator.timeoutMs, 'api.healthIndicator.timeoutMs', DEFAULT_HEALTH_INDICATOR_TIMEOUT_MS, 1, problems);
  const limit = api.authFailureLimit ?? {};
  const maxFailures = readInteger(
    limit.maxFailures,
    'api.authFailureLimit.maxFailures',
    DEFAULT_AUTH_FAILURE_LIMIT.maxFailures,
    1,
    problems,
  );
  const windowMs = readInteger(limit.windowMs, 'api.authFailureLimit.windowMs', DEFAULT_AUTH_FAILURE_LIMIT.windowMs, 1, problems);

  let auth: ApiAuthSettings | null = null;
  if (problems.length === 0) {
    if (api.auth === false) auth = ApiAuthSettings.none();
    else if (api.guard) auth = ApiAuthSettings.hostGuard(api.guard);
    else if (typeof codeToken === 'string') auth = ApiAuthSettings.token(codeToken, 'api.token');
    else if (envToken !== '') auth = ApiAuthSettings.token(envToken, API_TOKEN_ENV);
    else problems.push({ field: 'api', message: NO_API_AUTH });
  }
  if (problems.length > 0 || auth === null) throw new ApiConfigError(problems);
  const authFailures = new AuthFailureLimiter({ ...DEFAULT_AUTH_FAILURE_LIMIT, maxFailures, windowMs });
  return { auth, authFailures, routes, healthCacheMs, answerTimeoutMs, healthIndicator: { maxDeadLetters, timeoutMs } };
}
