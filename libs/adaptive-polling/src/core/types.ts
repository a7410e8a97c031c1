/**
 * The vocabulary of the polling core. Plain TypeScript: no Nest, BullMQ,
 * ioredis or TypeORM import may ever appear under `core/` (a test enforces it).
 *
 * Every per-target object here is a plain JSON-serialisable value, because
 * the engine stores it in Redis and every replica reads it back.
 */

/** Milliseconds since the epoch; the core never reads the wall clock itself. */
export type EpochMs = number;

/** A source of uniform random numbers in [0, 1); injected so tests are exact. */
export type RandomSource = () => number;

/** A clock; injected so tests are exact. */
export type Clock = () => EpochMs;

// ---------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------

/** Base, min and max poll intervals, in milliseconds. */
export interface IntervalBounds {
  baseMs: number;
  minMs: number;
  maxMs: number;
}

export interface BackoffOptions {
  /** First retry delay (default 5 s). */
  initialMs: number;
  /** Growth per consecutive failure (default 2). */
  multiplier: number;
  /** Relative jitter, +-fraction (default 0.2). */
  jitter: number;
  /** Cap (default 5 min). */
  maxMs: number;
  /**
   * Short mode: when the max interval is at most `shortModeMaxIntervalMs`
   * (default 15 s) the series starts at `shortInitialMs` (750 ms) and caps at
   * `shortMaxMs` (6 s), so tight polling windows keep fast feedback.
   */
  shortModeMaxIntervalMs: number;
  shortInitialMs: number;
  shortMaxMs: number;
}

export interface BreakerOptions {
  /** Consecutive failures that open the breaker (default 3). */
  failureThreshold: number;
}

export interface DeadLetterOptions {
  /** Consecutive transient failures that park a target (default 5). */
  maxTransientFailures: number;
  /** Delay before a parked target gets its one retry attempt (default 30 min). */
  retryDelayMs: number;
}

/** Everything the decision function needs for one target type. */
export interface TypePollingOptions {
  /** Adaptive polling on; when off every target polls at its base interval. */
  enabled: boolean;
  /** Name of the interval policy (`change-aware`, `pulse`, `fixed`, or a custom one). */
  policy: string;
  intervals: IntervalBounds;
  /** Relative interval jitter, +-fraction (default 0.05). */
  intervalJitter: number;
  /** Per-poll timeout; a timed-out poll is a transient failure (default 120 s). */
  pollTimeoutMs: number;
  backoff: BackoffOptions;
  breaker: BreakerOptions;
  deadLetter: DeadLetterOptions;
}

/** The fully resolved, validated options: defaults < code < system.json < env. */
export interface ResolvedPollingOptions extends TypePollingOptions {
  /** Per-type resolved options (every field filled in), keyed by target type. */
  perType: Record<string, TypePollingOptions>;
  /**
   * Options of types named only by their env variables (keyed by the env
   * spelling, `MY_PVE`), for a type that first appears at run time.
   */
  perEnvType: Record<string, TypePollingOptions>;
}

/** One validation problem: which field (as the user wrote it) and what is wrong. */
export interface OptionProblem {
  /** e.g. `minInterval`, `types.pve.maxInterval`, `ADAPTIVE_POLLING_MIN_INTERVAL`, `system.json adaptivePollingMaxInterval`. */
  field: string;
  message: string;
}

// ---------------------------------------------------------------------------
// Failures
// ---------------------------------------------------------------------------

export type FailureKind = (typeof FAILURE_KINDS)[number];

export const FAILURE_KINDS = ['transient', 'permanent'] as const;

/** Bounded set of failure categories, used as a metric label. */
export const FAILURE_CATEGORIES = [
  'timeout',
  'aborted',
  'network',
  'server_error',
  'rate_limited',
  'auth',
  'not_found',
  'client_error',
  'validation',
  'tls',
  'unknown',
] as const;
export type FailureCategory = (typeof FAILURE_CATEGORIES)[number];

export interface ClassifiedFailure {
  kind: FailureKind;
  category: FailureCategory;
  /** Human-readable, secret-free message. */
  message: string;
  /** HTTP status when one was found on the error. */
  statusCode: number | null;
  /** Network error code when one was found (ECONNREFUSED, ...). */
  code: string | null;
  /**
   * Set for 429/503 with a Retry-After: the next poll waits this long and the
   * failure does not count against the breaker or the dead-letter queue.
   */
  retryAfterMs: number | null;
}

/** Optional user hook: return a classification to override the built-in rules, or undefined to fall through. */
export type FailureClassifier = (error: unknown) => Partial<ClassifiedFailure> | undefined;

// ---------------------------------------------------------------------------
// Breaker and dead-letter state
// ---------------------------------------------------------------------------

export const BREAKER_STATES = ['closed', 'open', 'half_open'] as const;
export type BreakerStateName = (typeof BREAKER_STATES)[number];

export interface BreakerState {
  state: BreakerStateName;
  /** Incremented on every transition and on every operator reset. */
  generation: number;
  /** Consecutive failures counted by the breaker. */
  failures: number;
  /** Position in the backoff series for the next open window. */
  backoffStep: number;
  openedAtMs: EpochMs | null;
  /** End of the open window: the half-open probe may run from then on. */
  retryAtMs: EpochMs | null;
}

export const DEAD_LETTER_REASONS = ['max_retry_attempts', 'permanent_failure', 'stalled'] as const;
export type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[number];

export interface DeadLetterState {
  reason: DeadLetterReason;
  enteredAtMs: EpochMs;
  /** When the one retry attempt runs. */
  retryAtMs: EpochMs;
  /** Consecutive failures when parked. */
  failures: number;
  lastError: string;
  /** How many times this target has been parked in a row. */
  parkedCount: number;
}

// ---------------------------------------------------------------------------
// Per-target state (lives in Redis, shared by every replica)
// ---------------------------------------------------------------------------

export interface LastErrorInfo {
  message: string;
  kind: FailureKind;
  category: FailureCategory;
  atMs: EpochMs;
}

export interface TargetPollState {
  version: 1;
  lastPollAtMs: EpochMs | null;
  lastSuccessAtMs: EpochMs | null;
  /** When the result hash last differed from the one before. */
  lastChangeAtMs: EpochMs | null;
  lastResultHash: string | null;
  lastError: LastErrorInfo | null;
  /** Consecutive failures (transient or permanent); 0 after a success. */
  consecutiveFailures: number;
  /**
   * Decaying count of recent failures that feeds the policy's error penalty,
   * so a target that has just recovered is polled faster for a while.
   */
  recentFailures: number;
  breaker: BreakerState;
  deadLetter: DeadLetterState | null;
  /** The policy's own per-target memory (plain JSON). */
  policyState: PolicyStateJson;
  /** Interval chosen after the last poll (ms), null before the first. */
  intervalMs: number | null;
  nextRunAtMs: EpochMs | null;
  totals: { polls: number; failures: number; changes: number };
}

// ---------------------------------------------------------------------------
// Interval policies
// ---------------------------------------------------------------------------

/** Any JSON value a policy wants to remember per target. */
export type PolicyStateJson = { [key: string]: unknown } | null;

export interface PolicyInput {
  now: EpochMs;
  intervals: IntervalBounds;
  /** min(age since last success / max interval, 1); 1 if never succeeded. */
  staleness: number;
  /** Decaying count of recent failures (the error penalty's n). */
  recentFailures: number;
  /**
   * Real backlog: overdue work divided by worker capacity; at most 1 means no
   * backlog. The queue stretch applies only above 1.
   */
  backlog: number;
  /** Did the result hash change on this poll? null when unknown (first poll). */
  changed: boolean | null;
  /** Time since the previous successful poll, null if none. */
  sinceLastSuccessMs: number | null;
  /** Relative jitter, +-fraction; 0 disables it. */
  jitter: number;
  random: RandomSource;
}

export interface PolicyDecision {
  /** Clamped to [min, max] by the policy itself. */
  intervalMs: number;
  state: PolicyStateJson;
}

/** One interface for every interval rule: built-in or user-supplied. */
export interface IntervalPolicy {
  readonly name: string;
  nextInterval(previous: PolicyStateJson, input: PolicyInput): PolicyDecision;
}

// ---------------------------------------------------------------------------
// The decision
// ---------------------------------------------------------------------------

export type PollOutcome =
  | {
      kind: 'success';
      resultHash: string;
      durationMs: number;
      /** Breaker generation the poll started under. */
      generation: number;
    }
  | {
      kind: 'failure';
      error: unknown;
      durationMs: number;
      generation: number;
    };

export type PollEvent =
  | { type: 'breaker_transition'; from: BreakerStateName; to: BreakerStateName; generation: number; atMs: EpochMs }
  | { type: 'dead_letter_in'; reason: DeadLetterReason; retryAtMs: EpochMs; lastError: string; atMs: EpochMs }
  | { type: 'dead_letter_out'; reason: 'recovered' | 'operator_retry' | 'operator_purge'; atMs: EpochMs }
  | { type: 'stale_result_ignored'; resultGeneration: number; currentGeneration: number; atMs: EpochMs };

export interface DecisionInput {
  state: TargetPollState;
  outcome: PollOutcome;
  now: EpochMs;
  options: TypePollingOptions;
  policy: IntervalPolicy;
  random: RandomSource;
  /** Real backlog factor, see PolicyInput.backlog (default 1). */
  backlog?: number;
  /** A fixed interval carried by the target itself; bypasses the policy. */
  fixedIntervalMs?: number | null;
  classifier?: FailureClassifier;
}

export interface Decision {
  state: TargetPollState;
  nextRunAtMs: EpochMs;
  /** The delay chosen after this poll (next run - now). */
  delayMs: number;
  /** Classification of the failure, when the outcome was one. */
  failure: ClassifiedFailure | null;
  /** Did the result change? null for failures and first polls. */
  changed: boolean | null;
  events: PollEvent[];
}
