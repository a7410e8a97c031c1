import { PollingOptionsError } from './errors';
import { mustBePositiveNumber, urlNeedsHost, urlSchemeUnsupported, urlUnreadable } from './messages';
import type { OptionProblem } from './types';

/**
 * Checks shared by every option section (module, API, metrics, replicas,
 * housekeeping, persistence), so start-up can list every problem of every
 * section at once, before any connection is attempted.
 */

/** What a connection URL may look like: its schemes, and an example for the message. */
export interface UrlKind {
  schemes: readonly string[];
  example: string;
  /** Also accept an absolute path (a unix socket). */
  allowSocketPath?: boolean;
}

export const REDIS_URL_KIND: UrlKind = Object.freeze({
  schemes: ['redis:', 'rediss:'],
  example: 'redis://[user:password@]host[:6379][/db]',
  allowSocketPath: true,
});

export const POSTGRES_URL_KIND: UrlKind = Object.freeze({
  schemes: ['postgres:', 'postgresql:'],
  example: 'postgres://user:password@host[:5432]/database',
});

/**
 * The problem with a connection URL, or null. The value itself is never
 * quoted back: a URL may carry a password.
 */
export function urlProblem(value: string, field: string, kind: UrlKind): OptionProblem | null {
  const text = value.trim();
  if (kind.allowSocketPath && text.startsWith('/')) return null;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { field, message: urlUnreadable(kind.example) };
  }
  if (!kind.schemes.includes(url.protocol)) return { field, message: urlSchemeUnsupported(url.protocol, kind.schemes, kind.example) };
  if (url.hostname === '') return { field, message: urlNeedsHost(kind.example) };
  return null;
}

/** Adds a problem unless `value` is absent or a finite number > 0. */
export function checkPositiveNumber(value: unknown, field: string, problems: OptionProblem[]): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    problems.push({ field, message: mustBePositiveNumber(value) });
  }
}

/** Whatever a resolver throws that lists option problems (PollingOptionsError, ApiConfigError, ...). */
function problemsOfError(error: unknown): OptionProblem[] | null {
  if (!(error instanceof Error)) return null;
  const problems = (error as { problems?: unknown }).problems;
  if (!Array.isArray(problems)) return null;
  return problems.every((p) => typeof p === 'object' && p !== null && 'field' in p && 'message' in p)
    ? (problems as OptionProblem[])
    : null;
}

/**
 * Runs one section's resolver: its value, or its problems added to
 * `problems` (any other error is rethrown).
 */
export function collectProblems<T>(resolve: () => T, problems: OptionProblem[]): T | undefined {
  try {
    return resolve();
  } catch (error) {
    const found = problemsOfError(error);
    if (found === null) throw error;
    problems.push(...found);
    return undefined;
  }
}

/** One error listing every problem once. */
export function configurationError(problems: readonly OptionProblem[]): PollingOptionsError {
  return PollingOptionsError.listing(problems);
}
