import { formatDuration, tryParseDuration } from './duration';
import { PollingOptionsError } from './errors';
import {
  backoffInitialAboveMax,
  baseOutsideRange,
  defaultSource,
  fieldMessage,
  minAboveMax,
  multiplierTooSmall,
  intervalTooLong,
  mustBeBoolean,
  mustBeEnvBoolean,
  mustBeGreaterThanZero,
  mustBeJitterFraction,
  mustBeObject,
  mustBeWholeNumberAtLeastOne,
  policyMustBeName,
  pollingOptionsSummary,
  systemJsonNotObject,
  systemJsonSecondsInvalid,
  systemJsonUnreadable,
  unknownOptionKey,
  unknownPolicy,
  type SourcedText,
} from './messages';
import { redactSecrets } from './redact';
import type { OptionProblem, ResolvedPollingOptions, TypePollingOptions } from './types';

/**
 * Option resolution: defaults, then code options, then system.json, then
 * environment variables (env wins). Per-type options start from the resolved
 * global values; a field a type sets in code beats the global value from any
 * source, and the type's own env variable beats everything for that type
 * (the more specific setting wins; among equally specific ones, env wins).
 *
 * Validation collects every problem, each naming the field the offending
 * value came from, and throws them together in one `PollingOptionsError`.
 */

// ---------------------------------------------------------------------------
// Input shapes
// ---------------------------------------------------------------------------

/** A duration: `750ms`, `10s`, `5m`, `1h30m`, or a number of milliseconds. */
export type DurationInput = string | number;

/** Per-type overrides in code options. */
export interface TypePollingOptionsInput {
  enabled?: boolean;
  policy?: string;
  baseInterval?: DurationInput;
  minInterval?: DurationInput;
  maxInterval?: DurationInput;
  pollTimeout?: DurationInput;
}

/** Polling options as written in code (`forRoot({ polling: {...} })`). */
export interface PollingOptionsInput {
  enabled?: boolean;
  policy?: string;
  baseInterval?: DurationInput;
  minInterval?: DurationInput;
  maxInterval?: DurationInput;
  intervalJitter?: number;
  pollTimeout?: DurationInput;
  breaker?: { failureThreshold?: number };
  backoff?: { initial?: DurationInput; multiplier?: number; jitter?: number; max?: DurationInput };
  deadLetter?: { maxTransientFailures?: number; retryDelay?: DurationInput };
  types?: Record<string, TypePollingOptionsInput>;
}

/** The keys of `system.json` this library reads (intervals in integer seconds); other keys are left alone. */
export interface SystemJsonSettings {
  adaptivePollingEnabled?: boolean;
  adaptivePollingBaseInterval?: number;
  adaptivePollingMinInterval?: number;
  adaptivePollingMaxInterval?: number;
}

/** Environment variables, passed in: the core never reads `process.env`. */
export type EnvironmentVariables = Record<string, string | undefined>;

export interface PollingOptionSources {
  code?: PollingOptionsInput;
  /** The parsed content of system.json (see `parseSystemJsonText`). */
  systemJson?: unknown;
  env?: EnvironmentVariables;
  /** Target types to resolve per-type options (and env variables) for, besides those in `code.types`. */
  knownTypes?: readonly string[];
  /** When given, a policy name outside this list is a problem. */
  knownPolicies?: readonly string[];
}

/** Top-level keys of `PollingOptionsInput`, for callers that pick them out of larger options. */
export const POLLING_OPTION_KEYS = Object.freeze([
  'enabled',
  'policy',
  'baseInterval',
  'minInterval',
  'maxInterval',
  'intervalJitter',
  'pollTimeout',
  'breaker',
  'backoff',
  'deadLetter',
  'types',
] as const);

const TYPE_OPTION_KEYS = ['enabled', 'policy', 'baseInterval', 'minInterval', 'maxInterval', 'pollTimeout'] as const;
const BREAKER_KEYS = ['failureThreshold'] as const;
const BACKOFF_KEYS = ['initial', 'multiplier', 'jitter', 'max'] as const;
const DEAD_LETTER_KEYS = ['maxTransientFailures', 'retryDelay'] as const;

/** Global environment variables. */
export const POLLING_ENV = Object.freeze({
  enabled: 'ADAPTIVE_POLLING_ENABLED',
  policy: 'ADAPTIVE_POLLING_POLICY',
  baseInterval: 'ADAPTIVE_POLLING_BASE_INTERVAL',
  minInterval: 'ADAPTIVE_POLLING_MIN_INTERVAL',
  maxInterval: 'ADAPTIVE_POLLING_MAX_INTERVAL',
  pollTimeout: 'ADAPTIVE_POLLING_POLL_TIMEOUT',
});

/**
 * Per-type env variable: `ADAPTIVE_POLLING_<TYPE>_MIN_INTERVAL` with the type
 * upper-cased and any run of other characters than letters and digits as `_`
 * (type `my-pve` -> `ADAPTIVE_POLLING_MY_PVE_MIN_INTERVAL`).
 */
export function typeEnvVariable(type: string, interval: 'base' | 'min' | 'max'): string {
  return `ADAPTIVE_POLLING_${envTypeName(type)}_${interval.toUpperCase()}_INTERVAL`;
}

const SYSTEM_JSON = 'system.json';
const SYSTEM_JSON_KEYS = {
  enabled: 'adaptivePollingEnabled',
  baseInterval: 'adaptivePollingBaseInterval',
  minInterval: 'adaptivePollingMinInterval',
  maxInterval: 'adaptivePollingMaxInterval',
} as const;

/** `ADAPTIVE_POLLING_ENABLED` words (trimmed, any case); anything else is a problem, so a typo of `false` never means true. */
const TRUE_WORDS = ['1', 'true', 'yes', 'on'];
const FALSE_WORDS = ['0', 'false', 'no', 'off'];

/** Upper bound of every interval: beyond a day a target is not being monitored, and larger values overflow timers. */
export const MAX_INTERVAL_MS = 24 * 3_600_000;

/** A per-type env variable, split into its type part and interval (`ADAPTIVE_POLLING_MY_PVE_MIN_INTERVAL`). */
const TYPE_ENV_PATTERN = /^ADAPTIVE_POLLING_([A-Z0-9_]+)_(BASE|MIN|MAX)_INTERVAL$/;

// ---------------------------------------------------------------------------
// Defaults
// ---------------------------------------------------------------------------

/**
 * The defaults, as a fresh object each call. `enabled` is true: the seed
 * system defaulted to false, this library turns adaptive polling on.
 */
export function defaultPollingOptions(): TypePollingOptions {
  return {
    enabled: true,
    policy: 'change-aware',
    intervals: { baseMs: 10_000, minMs: 5_000, maxMs: 300_000 },
    intervalJitter: 0.05,
    pollTimeoutMs: 120_000,
    backoff: {
      initialMs: 5_000,
      multiplier: 2,
      jitter: 0.2,
      maxMs: 300_000,
      shortModeMaxIntervalMs: 15_000,
      shortInitialMs: 750,
      shortMaxMs: 6_000,
    },
    breaker: { failureThreshold: 3 },
    deadLetter: { maxTransientFailures: 5, retryDelayMs: 1_800_000 },
  };
}

/** The defaults, deeply frozen (read-only); use `defaultPollingOptions()` for a copy to change. */
export const DEFAULT_POLLING_OPTIONS: Readonly<TypePollingOptions> = deepFreeze(defaultPollingOptions());

function deepFreeze<T extends object>(value: T): T {
  for (const member of Object.values(value)) {
    if (typeof member === 'object' && member !== null) deepFreeze(member as object);
  }
  return Object.freeze(value);
}

// ---------------------------------------------------------------------------
// Sourced values: every resolved value remembers where it came from
// ---------------------------------------------------------------------------

interface Sourced<T> {
  value: T;
  /** The field the value was read from, or null for a default. */
  from: string | null;
  /** The default's name, for messages when `from` is null. */
  name: string;
  /** The source could not be read: skip range checks rather than add a confusing second message. */
  unreadable: boolean;
  /** Per-type value taken over from the global options (already checked there). */
  inherited: boolean;
}

type ReadResult<T> = { ok: true; value: T } | { ok: false; message: string };
type Reader<T> = (raw: unknown, field: string) => ReadResult<T>;

function byDefault<T>(value: T, name: string): Sourced<T> {
  return { value, from: null, name, unreadable: false, inherited: false };
}

function inherit<T>(global: Sourced<T>): Sourced<T> {
  return { ...global, inherited: true };
}

/** Applies one source on top of `current`; `undefined` means the source does not set it. */
function layer<T>(current: Sourced<T>, raw: unknown, field: string, read: Reader<T>, problems: OptionProblem[]): Sourced<T> {
  if (raw === undefined) return current;
  const result = read(raw, field);
  if (result.ok) return { value: result.value, from: field, name: current.name, unreadable: false, inherited: false };
  problems.push({ field, message: result.message });
  return { ...current, from: field, unreadable: true, inherited: false };
}

function label(value: Sourced<number>): SourcedText {
  return { text: formatDuration(value.value), from: value.from ?? defaultSource(value.name) };
}

// ---------------------------------------------------------------------------
// Readers: one per kind of value
// ---------------------------------------------------------------------------

const readDuration: Reader<number> = (raw, field) => {
  const parsed = tryParseDuration(raw, field);
  return parsed.ok ? { ok: true, value: parsed.ms } : { ok: false, message: parsed.problem.message };
};

const readBoolean: Reader<boolean> = (raw) =>
  typeof raw === 'boolean' ? { ok: true, value: raw } : { ok: false, message: mustBeBoolean(raw) };

const readEnvBoolean: Reader<boolean> = (raw) => {
  const word = String(raw).trim().toLowerCase();
  if (TRUE_WORDS.includes(word)) return { ok: true, value: true };
  if (FALSE_WORDS.includes(word)) return { ok: true, value: false };
  return { ok: false, message: mustBeEnvBoolean(raw, TRUE_WORDS, FALSE_WORDS) };
};

const readJitter: Reader<number> = (raw) =>
  typeof raw === 'number' && raw >= 0 && raw < 1 ? { ok: true, value: raw } : { ok: false, message: mustBeJitterFraction(raw) };

const readWholeAtLeastOne: Reader<number> = (raw) =>
  typeof raw === 'number' && Number.isInteger(raw) && raw >= 1
    ? { ok: true, value: raw }
    : { ok: false, message: mustBeWholeNumberAtLeastOne(raw) };

const readMultiplier: Reader<number> = (raw) =>
  typeof raw === 'number' && Number.isFinite(raw) && raw >= 1 ? { ok: true, value: raw } : { ok: false, message: multiplierTooSmall(raw) };

const readSystemSeconds: Reader<number> = (raw) =>
  typeof raw === 'number' && Number.isInteger(raw)
    ? { ok: true, value: raw * 1000 }
    : { ok: false, message: systemJsonSecondsInvalid(raw) };

function policyReader(knownPolicies: readonly string[] | undefined): Reader<string> {
  return (raw) => {
    if (typeof raw !== 'string' || raw.trim() === '') return { ok: false, message: policyMustBeName(raw) };
    const name = raw.trim();
    if (knownPolicies !== undefined && !knownPolicies.includes(name)) {
      return { ok: false, message: unknownPolicy(name, knownPolicies) };
    }
    return { ok: true, value: name };
  };
}

/** An env value, trimmed; empty means unset. */
function envValue(env: EnvironmentVariables, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/** system.json uses null for "not set" as often as it leaves a key out. */
function systemValue(settings: Record<string, unknown>, key: string): unknown {
  const value = settings[key];
  return value === null ? undefined : value;
}

// ---------------------------------------------------------------------------
// Shape checks on code options (typo protection)
// ---------------------------------------------------------------------------

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The object at `field`, or undefined (with a problem when it is there but not an object). */
function objectAt(raw: unknown, field: string, problems: OptionProblem[]): Record<string, unknown> | undefined {
  if (raw === undefined) return undefined;
  if (isRecord(raw)) return raw;
  problems.push({ field, message: mustBeObject(raw) });
  return undefined;
}

function checkKeys(object: Record<string, unknown>, known: readonly string[], prefix: string, problems: OptionProblem[]): void {
  for (const key of Object.keys(object)) {
    if (!known.includes(key)) {
      problems.push({ field: `${prefix}${key}`, message: unknownOptionKey(known, closestKey(key, known)) });
    }
  }
}

/** The known key a typo most likely meant: same letters ignoring case, or at most 2 edits away. */
function closestKey(key: string, known: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = 3;
  for (const candidate of known) {
    const distance = candidate.toLowerCase() === key.toLowerCase() ? 0 : editDistance(candidate.toLowerCase(), key.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j] + 1, current[j - 1] + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length];
}

// ---------------------------------------------------------------------------
// Resolution
// ---------------------------------------------------------------------------

interface SourcedIntervals {
  base: Sourced<number>;
  min: Sourced<number>;
  max: Sourced<number>;
}

interface SourcedScope {
  enabled: Sourced<boolean>;
  policy: Sourced<string>;
  intervals: SourcedIntervals;
  pollTimeout: Sourced<number>;
}

interface SourcedGlobal extends SourcedScope {
  intervalJitter: Sourced<number>;
  backoff: {
    initial: Sourced<number>;
    multiplier: Sourced<number>;
    jitter: Sourced<number>;
    max: Sourced<number>;
  };
  failureThreshold: Sourced<number>;
  maxTransientFailures: Sourced<number>;
  retryDelay: Sourced<number>;
}

/** Resolves and validates the options; throws one `PollingOptionsError` listing every problem. */
export function resolvePollingOptions(sources: PollingOptionSources = {}): ResolvedPollingOptions {
  const problems: OptionProblem[] = [];
  const code = objectAt(sources.code, 'options', problems) ?? {};
  const systemJson = readSystemJsonObject(sources.systemJson, problems);
  const env = sources.env ?? {};
  const readPolicy = policyReader(sources.knownPolicies);

  checkKeys(code, POLLING_OPTION_KEYS, '', problems);
  const global = resolveGlobal(code, systemJson, env, readPolicy, problems);
  checkGlobal(global, problems);

  const typeInputs = objectAt(code.types, 'types', problems) ?? {};
  const typeNames = new Set([...Object.keys(typeInputs), ...(sources.knownTypes ?? [])]);
  const perTypeSourced: Record<string, SourcedScope> = {};
  for (const type of typeNames) {
    const scope = resolveType(type, typeInputs[type], global, env, readPolicy, problems);
    checkScope(type, scope, problems);
    perTypeSourced[type] = scope;
  }
  // Types named only by env variables: resolved and checked now, applied when such a type first appears.
  const envTypesSourced: Record<string, SourcedScope> = {};
  const namedEnvTypes = new Set([...typeNames].map(envTypeName));
  for (const envType of envTypeNames(env).filter((name) => !namedEnvTypes.has(name))) {
    const scope = resolveType(envType, undefined, global, env, readPolicy, problems);
    checkScope(envType, scope, problems);
    envTypesSourced[envType] = scope;
  }

  if (problems.length > 0) throw optionsError(problems);

  const globalOptions = toTypeOptions(global, global);
  const perType: Record<string, TypePollingOptions> = {};
  for (const [type, scope] of Object.entries(perTypeSourced)) perType[type] = toTypeOptions(scope, global);
  const perEnvType: Record<string, TypePollingOptions> = {};
  for (const [envType, scope] of Object.entries(envTypesSourced)) perEnvType[envType] = toTypeOptions(scope, global);
  return { ...globalOptions, perType, perEnvType };
}

/** The env spelling of a type name (`my-pve` -> `MY_PVE`), as in its env variables. */
function envTypeName(type: string): string {
  return type.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
}

/** Type names (env spelling) that have an `ADAPTIVE_POLLING_<TYPE>_*_INTERVAL` variable set. */
function envTypeNames(env: EnvironmentVariables): string[] {
  const names = new Set<string>();
  for (const name of Object.keys(env)) {
    const match = TYPE_ENV_PATTERN.exec(name);
    if (match && envValue(env, name) !== undefined) names.add(match[1]);
  }
  return [...names].sort();
}

/** The options one target type polls with: its own, or the global ones for a type without overrides. */
export function optionsForType(resolved: ResolvedPollingOptions, type: string): TypePollingOptions {
  const own = Object.prototype.hasOwnProperty.call(resolved.perType, type) ? resolved.perType[type] : undefined;
  if (own !== undefined) return own;
  const envType = envTypeName(type);
  const fromEnv = Object.prototype.hasOwnProperty.call(resolved.perEnvType, envType) ? resolved.perEnvType[envType] : undefined;
  if (fromEnv !== undefined) return fromEnv;
  const { perType: _perType, perEnvType: _perEnvType, ...global } = resolved;
  return global;
}

function resolveGlobal(
  code: Record<string, unknown>,
  systemJson: Record<string, unknown>,
  env: EnvironmentVariables,
  readPolicy: Reader<string>,
  problems: OptionProblem[],
): SourcedGlobal {
  const d = defaultPollingOptions();
  const setting = <T>(field: string, defaultValue: T, raw: unknown, read: Reader<T>) =>
    layer(byDefault(defaultValue, field), raw, field, read, problems);
  const thenSystemJson = <T>(current: Sourced<T>, key: string, read: Reader<T>) =>
    layer(current, systemValue(systemJson, key), `${SYSTEM_JSON} ${key}`, read, problems);
  const thenEnv = <T>(current: Sourced<T>, name: string, read: Reader<T>) => layer(current, envValue(env, name), name, read, problems);

  const interval = (key: 'baseInterval' | 'minInterval' | 'maxInterval', defaultMs: number) =>
    thenEnv(
      thenSystemJson(setting(key, defaultMs, code[key], readDuration), SYSTEM_JSON_KEYS[key], readSystemSeconds),
      POLLING_ENV[key],
      readDuration,
    );

  const backoff = objectAt(code.backoff, 'backoff', problems) ?? {};
  checkKeys(backoff, BACKOFF_KEYS, 'backoff.', problems);
  const breaker = objectAt(code.breaker, 'breaker', problems) ?? {};
  checkKeys(breaker, BREAKER_KEYS, 'breaker.', problems);
  const deadLetter = objectAt(code.deadLetter, 'deadLetter', problems) ?? {};
  checkKeys(deadLetter, DEAD_LETTER_KEYS, 'deadLetter.', problems);

  return {
    enabled: thenEnv(
      thenSystemJson(setting('enabled', d.enabled, code.enabled, readBoolean), SYSTEM_JSON_KEYS.enabled, readBoolean),
      POLLING_ENV.enabled,
      readEnvBoolean,
    ),
    policy: thenEnv(setting('policy', d.policy, code.policy, readPolicy), POLLING_ENV.policy, readPolicy),
    intervals: {
      base: interval('baseInterval', d.intervals.baseMs),
      min: interval('minInterval', d.intervals.minMs),
      max: interval('maxInterval', d.intervals.maxMs),
    },
    pollTimeout: thenEnv(setting('pollTimeout', d.pollTimeoutMs, code.pollTimeout, readDuration), POLLING_ENV.pollTimeout, readDuration),
    intervalJitter: setting('intervalJitter', d.intervalJitter, code.intervalJitter, readJitter),
    backoff: {
      initial: setting('backoff.initial', d.backoff.initialMs, backoff.initial, readDuration),
      multiplier: setting('backoff.multiplier', d.backoff.multiplier, backoff.multiplier, readMultiplier),
      jitter: setting('backoff.jitter', d.backoff.jitter, backoff.jitter, readJitter),
      max: setting('backoff.max', d.backoff.maxMs, backoff.max, readDuration),
    },
    failureThreshold: setting('breaker.failureThreshold', d.breaker.failureThreshold, breaker.failureThreshold, readWholeAtLeastOne),
    maxTransientFailures: setting(
      'deadLetter.maxTransientFailures',
      d.deadLetter.maxTransientFailures,
      deadLetter.maxTransientFailures,
      readWholeAtLeastOne,
    ),
    retryDelay: setting('deadLetter.retryDelay', d.deadLetter.retryDelayMs, deadLetter.retryDelay, readDuration),
  };
}

function resolveType(
  type: string,
  rawInput: unknown,
  global: SourcedGlobal,
  env: EnvironmentVariables,
  readPolicy: Reader<string>,
  problems: OptionProblem[],
): SourcedScope {
  const prefix = `types.${type}.`;
  const input = objectAt(rawInput, `types.${type}`, problems) ?? {};
  checkKeys(input, TYPE_OPTION_KEYS, prefix, problems);

  const interval = (which: 'base' | 'min' | 'max'): Sourced<number> => {
    const key = `${which}Interval` as const;
    const value = layer(inherit(global.intervals[which]), input[key], prefix + key, readDuration, problems);
    const envName = typeEnvVariable(type, which);
    return layer(value, envValue(env, envName), envName, readDuration, problems);
  };

  const typeEnabled = layer(inherit(global.enabled), input.enabled, `${prefix}enabled`, readBoolean, problems);
  // ADAPTIVE_POLLING_ENABLED=false is the rollback switch: it reverts every type, also one enabled in code.
  const rolledBack = global.enabled.from === POLLING_ENV.enabled && !global.enabled.unreadable && !global.enabled.value;
  return {
    enabled: rolledBack ? inherit(global.enabled) : typeEnabled,
    policy: layer(inherit(global.policy), input.policy, `${prefix}policy`, readPolicy, problems),
    intervals: { base: interval('base'), min: interval('min'), max: interval('max') },
    pollTimeout: layer(inherit(global.pollTimeout), input.pollTimeout, `${prefix}pollTimeout`, readDuration, problems),
  };
}

function readSystemJsonObject(raw: unknown, problems: OptionProblem[]): Record<string, unknown> {
  if (raw === undefined || raw === null) return {};
  if (isRecord(raw)) return raw;
  problems.push({ field: SYSTEM_JSON, message: systemJsonNotObject(raw) });
  return {};
}

// ---------------------------------------------------------------------------
// Range checks (SPEC 6), globally and per type
// ---------------------------------------------------------------------------

/** A value that can take part in a range check: read fine and itself valid. */
function comparable(value: Sourced<number>): boolean {
  return !value.unreadable && value.value > 0;
}

/** The field to blame for a relation: the first value the user set in this scope. */
function blame(...values: Sourced<number>[]): string {
  const own = values.find((v) => v.from !== null && !v.inherited);
  const named = own ?? values.find((v) => v.from !== null) ?? values[0];
  return named.from ?? defaultSource(named.name);
}

function checkPositive(value: Sourced<number>, problems: OptionProblem[]): void {
  if (!value.unreadable && !value.inherited && value.from !== null && value.value <= 0) {
    problems.push({ field: value.from, message: mustBeGreaterThanZero(formatDuration(value.value)) });
  }
}

function checkAtMostADay(value: Sourced<number>, problems: OptionProblem[]): void {
  if (!value.unreadable && !value.inherited && value.from !== null && value.value > MAX_INTERVAL_MS) {
    problems.push({ field: value.from, message: intervalTooLong(formatDuration(MAX_INTERVAL_MS), formatDuration(value.value)) });
  }
}

/** min, base and max: each > 0, min <= max, min <= base <= max. `type` null means the global options. */
function checkScope(type: string | null, scope: SourcedScope, problems: OptionProblem[]): void {
  const { base, min, max } = scope.intervals;
  for (const value of [min, base, max, scope.pollTimeout]) checkPositive(value, problems);
  for (const value of [min, base, max]) checkAtMostADay(value, problems);

  // Per type, a relation between inherited values only was already reported globally.
  const involvesOwn = (...values: Sourced<number>[]) => type === null || values.some((v) => !v.inherited);

  if (comparable(min) && comparable(max) && min.value > max.value && involvesOwn(min, max)) {
    problems.push({ field: blame(min, max), message: minAboveMax(type, label(min), label(max)) });
  }
  if (comparable(base) && comparable(min) && base.value < min.value && involvesOwn(base, min)) {
    problems.push({ field: blame(base, min), message: baseOutsideRange(type, label(base), 'below', label(min)) });
  }
  if (comparable(base) && comparable(max) && base.value > max.value && involvesOwn(base, max)) {
    problems.push({ field: blame(base, max), message: baseOutsideRange(type, label(base), 'above', label(max)) });
  }
}

function checkGlobal(global: SourcedGlobal, problems: OptionProblem[]): void {
  checkScope(null, global, problems);
  const { initial, max } = global.backoff;
  for (const value of [initial, max, global.retryDelay]) checkPositive(value, problems);
  if (comparable(initial) && comparable(max) && initial.value > max.value) {
    problems.push({ field: blame(initial, max), message: backoffInitialAboveMax(label(initial), label(max)) });
  }
}

function optionsError(problems: OptionProblem[]): PollingOptionsError {
  // One env variable can serve two type names (`pve`, `PVE`): report it once.
  const unique = problems.filter((p, i) => problems.findIndex((q) => q.field === p.field && q.message === p.message) === i);
  return new PollingOptionsError(unique, pollingOptionsSummary(unique.map((p) => fieldMessage(p.field, p.message))));
}

// ---------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------

function toTypeOptions(scope: SourcedScope, global: SourcedGlobal): TypePollingOptions {
  const d = defaultPollingOptions();
  return {
    enabled: scope.enabled.value,
    policy: scope.policy.value,
    intervals: {
      baseMs: scope.intervals.base.value,
      minMs: scope.intervals.min.value,
      maxMs: scope.intervals.max.value,
    },
    intervalJitter: global.intervalJitter.value,
    pollTimeoutMs: scope.pollTimeout.value,
    backoff: {
      ...d.backoff,
      initialMs: global.backoff.initial.value,
      multiplier: global.backoff.multiplier.value,
      jitter: global.backoff.jitter.value,
      maxMs: global.backoff.max.value,
    },
    breaker: { failureThreshold: global.failureThreshold.value },
    deadLetter: {
      maxTransientFailures: global.maxTransientFailures.value,
      retryDelayMs: global.retryDelay.value,
    },
  };
}

// ---------------------------------------------------------------------------
// system.json text
// ---------------------------------------------------------------------------

export type SystemJsonParseResult = { ok: true; value: Record<string, unknown> } | { ok: false; problem: OptionProblem };

/** Parses system.json text; bad JSON or a non-object is a problem naming the file. */
export function parseSystemJsonText(text: string, sourceName: string): SystemJsonParseResult {
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { ok: false, problem: { field: sourceName, message: systemJsonUnreadable(redactSecrets(detail)) } };
  }
  if (!isRecord(value)) return { ok: false, problem: { field: sourceName, message: systemJsonNotObject(value) } };
  return { ok: true, value };
}
