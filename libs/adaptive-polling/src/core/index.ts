/** The framework-free polling core: rules, policies, options. */
export * from './types';
export * from './errors';
export * from './duration';
export {
  defaultPollingOptions,
  DEFAULT_POLLING_OPTIONS,
  optionsForType,
  parseSystemJsonText,
  resolvePollingOptions,
  typeEnvVariable,
  POLLING_ENV,
  type DurationInput,
  type EnvironmentVariables,
  type PollingOptionsInput,
  type PollingOptionSources,
  type SystemJsonSettings,
  type TypePollingOptionsInput,
} from './options';
export {
  POSTGRES_URL_KIND,
  REDIS_URL_KIND,
  checkPositiveNumber,
  collectProblems,
  configurationError,
  urlProblem,
  type UrlKind,
} from './config-checks';
export { classifyFailure, parseRetryAfter, type ClassifyOptions } from './classify';
export { redactSecrets } from './redact';
export { stableHash } from './hash';
export {
  applyChangeSignal,
  changeHashOf,
  isSignalledResult,
  withChangeSignal,
  type ChangeSignalFn,
  type SignalledResult,
} from './change-signal';
export * from './backoff';
export * from './breaker';
export * from './dead-letter';
export * from './target-state';
export * from './decide';
export * from './policies';
export * from './target';
export * from './operator-actions';
