import { isTargetPollState } from '../core/target-state';
import type { BreakerState, DeadLetterState, LastErrorInfo, PolicyStateJson, TargetPollState } from '../core/types';

/**
 * The compact form of a target's state inside its job's `data` (Redis).
 *
 * Every target keeps its state in its job hash, so its size is paid once per
 * target: the object JSON (~500 bytes for a healthy target, its field names
 * being most of it) made the job hash the largest part of Redis memory. The
 * compact form is a positional array with
 * - times relative to the job's `dueAtMs` (a few digits instead of 13);
 * - the SHA-1 result hash in base64url (27 characters instead of 40);
 * - a clean closed breaker as its bare generation number;
 * - a dead letter's error left out when it is the last error's message.
 *
 * Rounding (the only lossy steps), chosen so no decision changes:
 * - times are rounded up to the millisecond: the clock gives whole
 *   milliseconds, and for a whole `now`, `now < t` iff `now < ceil(t)`, so
 *   every "not before" gate (breaker window, dead-letter retry, next run)
 *   answers as before; past times come from the clock and are whole already;
 * - `intervalMs` (shown, never read back by a decision) is rounded;
 * - other fractions (the decaying failure count, the policy's memory) keep
 *   10 significant digits (and at least 3 decimals): a relative error of
 *   5e-11, far below a millisecond of any interval.
 *
 * Decoding also accepts the object form older versions wrote, so their jobs
 * keep their state across an upgrade.
 */
export type EncodedTargetState = [
  format: typeof COMPACT_FORMAT,
  lastPollAt: number | null,
  lastSuccessAt: number | null,
  lastChangeAt: number | null,
  lastResultHash: string | null,
  lastError: [message: string, kind: string, category: string, at: number] | null,
  consecutiveFailures: number,
  recentFailures: number,
  breaker:
    number | [state: string, generation: number, failures: number, backoffStep: number, openedAt: number | null, retryAt: number | null],
  deadLetter: [reason: string, enteredAt: number, retryAt: number, failures: number, lastError: string | 0, parkedCount: number] | null,
  policyState: PolicyStateJson,
  intervalMs: number | null,
  nextRunAt: number | null,
  polls: number,
  failures: number,
  changes: number,
];

/** A stored state: the compact form, or the object form of older versions. */
export type StoredTargetState = EncodedTargetState | TargetPollState;

/** What one job carries in its `data`: its target, when it is due, and the target's shared state. */
export interface PollJobData {
  key: string;
  /** The time this run is due (for queue-wait figures, and the base of the state's times). */
  dueAtMs: number;
  state: StoredTargetState | null;
}

const COMPACT_FORMAT = 1;
const COMPACT_LENGTH = 16;
const SIGNIFICANT_DIGITS = 10;
/** Enough digits to print any double exactly. */
const MAX_PRECISION = 17;
const SHA1_HEX = /^[0-9a-f]{40}$/;
const SHA1_BASE64URL = /^[A-Za-z0-9_-]{27}$/;
/** Marks a result hash stored as is (not a SHA-1 hex): base64url never contains it. */
const RAW_HASH_MARK = '=';

/** A time as the job data stores it: rounded up to the millisecond (see the rounding notes above). */
export function storedTimeMs(t: number): number {
  return Math.ceil(t);
}

/** The job data for a target due at `dueAtMs` with `state` (encoded). */
export function encodeJobData(key: string, dueAtMs: number, state: TargetPollState | null): PollJobData {
  const base = storedTimeMs(dueAtMs);
  return { key, dueAtMs: base, state: state === null ? null : encodeTargetState(state, base) };
}

/** The target state in a job's data (either form), or null when there is none or it is not valid. */
export function targetStateFromJobData(data: unknown): TargetPollState | null {
  if (typeof data !== 'object' || data === null) return null;
  const { state, dueAtMs } = data as Partial<PollJobData>;
  if (Array.isArray(state)) return typeof dueAtMs === 'number' && Number.isFinite(dueAtMs) ? decodeTargetState(state, dueAtMs) : null;
  return isTargetPollState(state) ? state : null;
}

export function encodeTargetState(state: TargetPollState, baseMs: number): EncodedTargetState {
  const at = (t: number) => storedTimeMs(t) - baseMs;
  const atOrNull = (t: number | null) => (t === null ? null : at(t));
  const { lastError, breaker, deadLetter, totals } = state;
  return [
    COMPACT_FORMAT,
    atOrNull(state.lastPollAtMs),
    atOrNull(state.lastSuccessAtMs),
    atOrNull(state.lastChangeAtMs),
    state.lastResultHash === null ? null : packHash(state.lastResultHash),
    lastError === null ? null : [lastError.message, lastError.kind, lastError.category, at(lastError.atMs)],
    state.consecutiveFailures,
    roundFraction(state.recentFailures),
    isCleanClosed(breaker)
      ? breaker.generation
      : [
          breaker.state,
          breaker.generation,
          breaker.failures,
          breaker.backoffStep,
          atOrNull(breaker.openedAtMs),
          atOrNull(breaker.retryAtMs),
        ],
    deadLetter === null
      ? null
      : [
          deadLetter.reason,
          at(deadLetter.enteredAtMs),
          at(deadLetter.retryAtMs),
          deadLetter.failures,
          deadLetter.lastError === lastError?.message ? 0 : deadLetter.lastError,
          deadLetter.parkedCount,
        ],
    roundFractions(state.policyState) as PolicyStateJson,
    state.intervalMs === null ? null : Math.round(state.intervalMs),
    atOrNull(state.nextRunAtMs),
    totals.polls,
    totals.failures,
    totals.changes,
  ];
}

/** The state in its compact form, or null when `encoded` is not one (validated like any state read from Redis). */
export function decodeTargetState(encoded: unknown[], baseMs: number): TargetPollState | null {
  if (encoded.length !== COMPACT_LENGTH || encoded[0] !== COMPACT_FORMAT) return null;
  const [
    ,
    lastPoll,
    lastSuccess,
    lastChange,
    hash,
    error,
    consecutiveFailures,
    recentFailures,
    breaker,
    deadLetter,
    policyState,
    intervalMs,
    nextRun,
    polls,
    failures,
    changes,
  ] = encoded;
  const lastError = decodeLastError(error, baseMs);
  const state = {
    version: 1,
    lastPollAtMs: timeOrNull(lastPoll, baseMs),
    lastSuccessAtMs: timeOrNull(lastSuccess, baseMs),
    lastChangeAtMs: timeOrNull(lastChange, baseMs),
    lastResultHash: typeof hash === 'string' ? unpackHash(hash) : hash,
    lastError,
    consecutiveFailures,
    recentFailures,
    breaker: decodeBreaker(breaker, baseMs),
    deadLetter: decodeDeadLetter(deadLetter, lastError, baseMs),
    policyState,
    intervalMs,
    nextRunAtMs: timeOrNull(nextRun, baseMs),
    totals: { polls, failures, changes },
  };
  // The core's guard checks every field, exactly as for the object form.
  return isTargetPollState(state) ? state : null;
}

function isCleanClosed(breaker: BreakerState): boolean {
  return (
    breaker.state === 'closed' &&
    breaker.failures === 0 &&
    breaker.backoffStep === 0 &&
    breaker.openedAtMs === null &&
    breaker.retryAtMs === null
  );
}

/** A relative time back to epoch ms; anything else is left for the guard to reject. */
function timeOrNull(value: unknown, baseMs: number): unknown {
  return typeof value === 'number' ? baseMs + value : value;
}

function decodeLastError(value: unknown, baseMs: number): LastErrorInfo | null | undefined {
  if (value === null) return null;
  if (!Array.isArray(value) || value.length !== 4) return undefined;
  const [message, kind, category, at] = value as [string, LastErrorInfo['kind'], LastErrorInfo['category'], unknown];
  return { message, kind, category, atMs: timeOrNull(at, baseMs) as number };
}

function decodeBreaker(value: unknown, baseMs: number): BreakerState | undefined {
  if (typeof value === 'number') {
    return { state: 'closed', generation: value, failures: 0, backoffStep: 0, openedAtMs: null, retryAtMs: null };
  }
  if (!Array.isArray(value) || value.length !== 6) return undefined;
  const [state, generation, failures, backoffStep, openedAt, retryAt] = value as [
    BreakerState['state'],
    number,
    number,
    number,
    unknown,
    unknown,
  ];
  return {
    state,
    generation,
    failures,
    backoffStep,
    openedAtMs: timeOrNull(openedAt, baseMs) as number | null,
    retryAtMs: timeOrNull(retryAt, baseMs) as number | null,
  };
}

function decodeDeadLetter(value: unknown, lastError: LastErrorInfo | null | undefined, baseMs: number): DeadLetterState | null | undefined {
  if (value === null) return null;
  if (!Array.isArray(value) || value.length !== 6) return undefined;
  const [reason, enteredAt, retryAt, failures, error, parkedCount] = value as [
    DeadLetterState['reason'],
    unknown,
    unknown,
    number,
    unknown,
    number,
  ];
  return {
    reason,
    enteredAtMs: timeOrNull(enteredAt, baseMs) as number,
    retryAtMs: timeOrNull(retryAt, baseMs) as number,
    failures,
    lastError: (error === 0 ? lastError?.message : error) as string,
    parkedCount,
  };
}

function packHash(hash: string): string {
  return SHA1_HEX.test(hash) ? Buffer.from(hash, 'hex').toString('base64url') : RAW_HASH_MARK + hash;
}

function unpackHash(packed: string): string | undefined {
  if (packed.startsWith(RAW_HASH_MARK)) return packed.slice(RAW_HASH_MARK.length);
  return SHA1_BASE64URL.test(packed) ? Buffer.from(packed, 'base64url').toString('hex') : undefined;
}

/** 10 significant digits, but never coarser than a thousandth (a fractional epoch time keeps its milliseconds). */
function roundFraction(value: number): number {
  if (Number.isInteger(value) || !Number.isFinite(value)) return value;
  const integerDigits = Math.max(1, Math.floor(Math.log10(Math.abs(value))) + 1);
  return Number(value.toPrecision(Math.min(MAX_PRECISION, Math.max(SIGNIFICANT_DIGITS, integerDigits + 3))));
}

/** A policy's memory with every fraction rounded (a copy; JSON values only). */
function roundFractions(value: unknown): unknown {
  if (typeof value === 'number') return roundFraction(value);
  if (Array.isArray(value)) return value.map(roundFractions);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = roundFractions(item);
  return out;
}
