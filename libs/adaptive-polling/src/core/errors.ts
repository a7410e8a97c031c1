import type { OptionProblem } from './types';
import { configurationSummary, fieldMessage, integrationPeersMissing, integrationWithoutPollingModule } from './messages';

/**
 * Error classes a poller throws to say how a failure should be treated, and
 * the errors the core raises itself. Messages are built in one place
 * (`messages.ts`) so they stay consistent.
 */

export interface PollErrorOptions {
  /** HTTP status, when the failure came from an HTTP answer. */
  statusCode?: number;
  /** For 429/503: wait this long before the next poll, without counting a failure. */
  retryAfterMs?: number;
  cause?: unknown;
}

/** A failure worth retrying soon: network trouble, 5xx, timeouts. */
export class TransientPollError extends Error {
  override readonly name = 'TransientPollError';
  readonly statusCode: number | undefined;
  readonly retryAfterMs: number | undefined;
  constructor(message: string, options: PollErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.statusCode = options.statusCode;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** A failure that retrying will not fix (bad credentials, unknown resource): parks the target at once. */
export class PermanentPollError extends Error {
  override readonly name = 'PermanentPollError';
  readonly statusCode: number | undefined;
  constructor(message: string, options: Omit<PollErrorOptions, 'retryAfterMs'> = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.statusCode = options.statusCode;
  }
}

/** Thrown when a duration string cannot be read. */
export class InvalidDurationError extends Error {
  override readonly name = 'InvalidDurationError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** Every option problem at once; `problems` names each field. */
export class PollingOptionsError extends Error {
  override readonly name = 'PollingOptionsError';
  constructor(
    readonly problems: OptionProblem[],
    message: string,
  ) {
    super(message);
  }

  /** One error listing every problem once (a field reported by two sections shows once). */
  static listing(problems: readonly OptionProblem[]): PollingOptionsError {
    const unique = problems.filter((p, i) => problems.findIndex((q) => q.field === p.field && q.message === p.message) === i);
    return new PollingOptionsError(unique, configurationSummary(unique.map((p) => fieldMessage(p.field, p.message))));
  }
}

/** An integration entry (`nestjs-adaptive-polling/persistence`, ...) was loaded without its optional peers. */
export class IntegrationPeersMissingError extends Error {
  override readonly name = 'IntegrationPeersMissingError';
  constructor(
    readonly entry: string,
    readonly missing: readonly string[],
  ) {
    super(integrationPeersMissing(entry, missing));
  }
}

/** An integration module was imported into an app without AdaptivePollingModule. */
export class IntegrationWithoutPollingModuleError extends Error {
  override readonly name = 'IntegrationWithoutPollingModuleError';
  constructor(readonly service: string) {
    super(integrationWithoutPollingModule(service));
  }
}
