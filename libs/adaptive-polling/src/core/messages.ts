/**
 * Every error and validation message text of the core, built in one place so
 * wording, quoting and units stay consistent. Functions take values already
 * rendered as text (durations formatted by the caller) so this file imports
 * nothing and can be used from anywhere in the library.
 *
 * An option problem's message says what is wrong; the field is kept apart
 * (`OptionProblem.field`) and joined with `fieldMessage` when shown.
 */

// ---------------------------------------------------------------------------
// Shared rendering
// ---------------------------------------------------------------------------

/** How a value the user wrote is quoted back: strings in quotes, the rest as JavaScript shows them. */
export function showValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'function') return 'a function';
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- objects and arrays are described above
  return String(value);
}

/** One problem as a line: `minInterval: must be greater than 0 (got 0ms)`. */
export function fieldMessage(field: string, message: string): string {
  return `${field}: ${message}`;
}

// ---------------------------------------------------------------------------
// Durations
// ---------------------------------------------------------------------------

export const DURATION_EXAMPLES = '750ms, 10s, 5m, 1h30m';

export function notADuration(value: unknown): string {
  return `${showValue(value)} is not a duration (use e.g. ${DURATION_EXAMPLES})`;
}

/** A bare number in a string could be seconds or milliseconds: make the user say which. */
export function durationNeedsUnit(value: string): string {
  const n = value.trim();
  return `${showValue(value)} has no unit; add one, e.g. ${n}s or ${n}ms (units: h, m, s, ms)`;
}

export function durationNegative(value: unknown): string {
  return `${showValue(value)} is negative; a duration must be 0 or more`;
}

export function durationNotFinite(value: unknown): string {
  return `${showValue(value)} is not a finite number of milliseconds`;
}

export function durationTooLarge(value: unknown): string {
  return `${showValue(value)} is too large to be a duration in milliseconds`;
}

// ---------------------------------------------------------------------------
// Options: single values
// ---------------------------------------------------------------------------

export function mustBeGreaterThanZero(got: string): string {
  return `must be greater than 0 (got ${got})`;
}

export function mustBeBoolean(got: unknown): string {
  return `must be true or false (got ${showValue(got)})`;
}

/** An env switch: only these words, so a typo never flips it. */
export function mustBeEnvBoolean(got: unknown, trueWords: readonly string[], falseWords: readonly string[]): string {
  return `must be ${trueWords.join(', ')} (true) or ${falseWords.join(', ')} (false), any case (got ${showValue(got)})`;
}

export function intervalTooLong(limit: string, got: string): string {
  return `must be at most ${limit} (got ${got})`;
}

export function mustBeObject(got: unknown): string {
  return `must be an object (got ${showValue(got)})`;
}

export function mustBeJitterFraction(got: unknown): string {
  return `must be a number from 0 up to but not including 1 (got ${showValue(got)})`;
}

export function mustBeWholeNumberAtLeastOne(got: unknown): string {
  return `must be a whole number of at least 1 (got ${showValue(got)})`;
}

/** A multiplier below 1 would make the retry delays shrink instead of grow. */
export function multiplierTooSmall(got: unknown): string {
  return `must be a number of at least 1 (got ${showValue(got)}); below 1 the retry delays would shrink`;
}

export function policyMustBeName(got: unknown): string {
  return `must be a policy name (got ${showValue(got)})`;
}

export function unknownPolicy(name: string, known: readonly string[]): string {
  return `${showValue(name)} is not a known policy (known: ${[...known].sort().join(', ')})`;
}

/** Typo protection for keys in code options. */
export function unknownOptionKey(known: readonly string[], suggestion: string | null): string {
  const hint = suggestion === null ? '' : `; did you mean "${suggestion}"?`;
  return `is not a known option${hint} (known: ${known.join(', ')})`;
}

// ---------------------------------------------------------------------------
// Options: relations between values (each side carries where it came from)
// ---------------------------------------------------------------------------

/** A value shown with its origin, e.g. `10m (types.pve.minInterval)` or `5m (default)`. */
export interface SourcedText {
  text: string;
  from: string;
}

function sourced(v: SourcedText): string {
  return `${v.text} (${v.from})`;
}

/** `scope` is null for the global options, or the type name for per-type ones. */
function scoped(scope: string | null, message: string): string {
  return scope === null ? message : `for type ${JSON.stringify(scope)}, ${message}`;
}

export function minAboveMax(scope: string | null, min: SourcedText, max: SourcedText): string {
  return scoped(scope, `min interval ${sourced(min)} exceeds max interval ${sourced(max)}`);
}

export function baseOutsideRange(scope: string | null, base: SourcedText, side: 'below' | 'above', bound: SourcedText): string {
  const boundName = side === 'below' ? 'min' : 'max';
  return scoped(
    scope,
    `base interval ${sourced(base)} is ${side} ${boundName} interval ${sourced(bound)}; the base interval must lie between min and max`,
  );
}

export function backoffInitialAboveMax(initial: SourcedText, max: SourcedText): string {
  return `backoff initial delay ${sourced(initial)} exceeds backoff max ${sourced(max)}`;
}

export function defaultSource(name: string): string {
  return `default ${name}`;
}

// ---------------------------------------------------------------------------
// Options: system.json
// ---------------------------------------------------------------------------

export function systemJsonNotObject(got: unknown): string {
  return `must hold a JSON object (got ${showValue(got)})`;
}

export function systemJsonSecondsInvalid(got: unknown): string {
  return `must be a whole number of seconds (got ${showValue(got)})`;
}

export function systemJsonUnreadable(detail: string): string {
  return `is not valid JSON (${detail})`;
}

// ---------------------------------------------------------------------------
// Options: the summary error
// ---------------------------------------------------------------------------

export function pollingOptionsSummary(lines: readonly string[]): string {
  const count = lines.length === 1 ? '1 problem' : `${lines.length} problems`;
  return `Invalid adaptive polling options (${count}):\n${lines.map((l) => `  - ${l}`).join('\n')}`;
}

export function configurationSummary(lines: readonly string[]): string {
  const count = lines.length === 1 ? '1 problem' : `${lines.length} problems`;
  return `Invalid adaptive polling configuration (${count}):\n${lines.map((l) => `  - ${l}`).join('\n')}`;
}

// ---------------------------------------------------------------------------
// Options: connection URLs and plain numbers
// ---------------------------------------------------------------------------

export function urlUnreadable(example: string): string {
  return `is not a valid URL (expected ${example})`;
}

export function urlSchemeUnsupported(scheme: string, schemes: readonly string[], example: string): string {
  return `uses the unsupported scheme ${showValue(scheme)} (supported: ${schemes.join(', ')}; e.g. ${example})`;
}

export function urlNeedsHost(example: string): string {
  return `has no host (expected ${example})`;
}

export function mustBePositiveNumber(got: unknown): string {
  return `must be a number greater than 0 (got ${showValue(got)})`;
}

// ---------------------------------------------------------------------------
// Failure classification
// ---------------------------------------------------------------------------

export function nonErrorThrown(description: string): string {
  return `poll failed with a non-error value: ${description}`;
}

/** An Error with an empty message: say what is known about it instead. */
export function errorWithoutMessage(name: string, details: readonly string[]): string {
  return details.length === 0 ? `${name} without a message` : `${name} (${details.join(', ')})`;
}

export function httpStatusDetail(statusCode: number): string {
  return `HTTP ${statusCode}`;
}

export function classifierFailed(message: string, detail: string): string {
  return `${message} [custom failure classifier threw: ${detail}; built-in rules used]`;
}

// ---------------------------------------------------------------------------
// Result hashing
// ---------------------------------------------------------------------------

export function hashCircularResult(): string {
  return 'cannot hash a poll result that contains a circular reference';
}

// ---------------------------------------------------------------------------
// Packaging
// ---------------------------------------------------------------------------

export function integrationPeersMissing(entry: string, missing: readonly string[]): string {
  return `${entry} needs ${missing.join(', ')}, which ${missing.length === 1 ? 'is' : 'are'} not installed: npm install ${missing.join(' ')}`;
}

export function integrationWithoutPollingModule(service: string): string {
  return (
    `an adaptive polling integration needs ${service}, but no AdaptivePollingModule is in this app: ` +
    'import AdaptivePollingModule.forRoot() or forRootAsync() next to it'
  );
}

/** A certificate failure: which problem, the code, and what the client said. */
export function tlsFailure(problem: string, code: string, detail: string): string {
  return `TLS: ${problem} (${code}): ${detail}`;
}
