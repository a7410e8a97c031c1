import { classifierFailed, tlsFailure, errorWithoutMessage, httpStatusDetail, nonErrorThrown } from './messages';
import { redactSecrets } from './redact';
import type { ClassifiedFailure, EpochMs, FailureCategory, FailureClassifier, FailureKind } from './types';

/**
 * Failure classification (SPEC 3): is a poll failure worth retrying soon
 * (transient) or will retrying not help (permanent)?
 *
 * Order of the rules, first match wins:
 *  1. `TransientPollError` / `PermanentPollError` anywhere in the cause chain
 *     fix the kind; an HTTP status or network code found refines the category.
 *  2. An HTTP status (`statusCode`, `status`, `response.status`) in the chain.
 *  3. Abort and timeout errors (names AbortError / TimeoutError, code ABORT_ERR).
 *  4. Validation errors (name ending in ValidationError, ZodError): permanent.
 *  5. A TLS certificate error code (self-signed, expired, name or fingerprint
 *     mismatch, also nested under `cause` as fetch does): permanent, `tls`.
 *     Retrying cannot fix a certificate; the message says which problem it was.
 *  6. A known network error code (`code`, also on `cause`: Node's fetch throws
 *     `TypeError: fetch failed` with the socket error as its cause).
 *  7. Anything else, including thrown non-Error values: transient, `unknown`.
 * A user classifier runs on top: its partial answer overrides the built-in one.
 *
 * ENOTFOUND is transient on purpose: it is usually a typo in the host name,
 * but DNS also flaps, and a typo then costs a few backed-off retries before
 * the dead-letter queue parks the target anyway, which is cheap.
 */

export interface ClassifyOptions {
  classifier?: FailureClassifier;
  /** Current time, needed to read a Retry-After given as an HTTP date; without it such a date is ignored. */
  now?: EpochMs;
}

/** How deep the cause chain is followed (guards against cycles and absurd nesting). */
const MAX_CAUSE_DEPTH = 8;
const MAX_MESSAGE_LENGTH = 1000;

/** Network error codes that deserve a retry, with the category each one reports. */
const TRANSIENT_CODES: Readonly<Record<string, FailureCategory>> = {
  ECONNREFUSED: 'network',
  ECONNRESET: 'network',
  EAI_AGAIN: 'network',
  ENOTFOUND: 'network',
  EPIPE: 'network',
  EHOSTUNREACH: 'network',
  EHOSTDOWN: 'network',
  ENETUNREACH: 'network',
  ENETDOWN: 'network',
  ENETRESET: 'network',
  ECONNABORTED: 'network',
  UND_ERR_SOCKET: 'network',
  UND_ERR_CLOSED: 'network',
  ERR_SOCKET_CONNECTION_TIMEOUT: 'timeout',
  ETIMEDOUT: 'timeout',
  ESOCKETTIMEDOUT: 'timeout',
  UND_ERR_CONNECT_TIMEOUT: 'timeout',
  UND_ERR_HEADERS_TIMEOUT: 'timeout',
  UND_ERR_BODY_TIMEOUT: 'timeout',
  ABORT_ERR: 'aborted',
};

/**
 * Certificate error codes (OpenSSL's, as Node reports them, plus Node's name check and
 * the fingerprint pin of the Proxmox pollers), with what each one means to an operator.
 */
const TLS_CODES: Readonly<Record<string, string>> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in the chain',
  CERT_HAS_EXPIRED: 'certificate expired',
  CERT_NOT_YET_VALID: 'certificate not yet valid',
  ERR_TLS_CERT_ALTNAME_INVALID: 'certificate name mismatch',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'certificate not signed by a trusted CA',
  UNABLE_TO_GET_ISSUER_CERT: 'certificate issuer unknown',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'certificate issuer unknown',
  CERT_UNTRUSTED: 'certificate not trusted',
  CERT_REJECTED: 'certificate rejected',
  CERT_REVOKED: 'certificate revoked',
  CERT_SIGNATURE_FAILURE: 'certificate signature invalid',
  ERR_TLS_FINGERPRINT_MISMATCH: 'certificate fingerprint mismatch',
};

interface HttpRule {
  kind: FailureKind;
  category: FailureCategory;
}

export function classifyFailure(error: unknown, options: ClassifyOptions = {}): ClassifiedFailure {
  const builtIn = classifyBuiltIn(error, options.now);
  if (options.classifier === undefined) return builtIn;

  let override: Partial<ClassifiedFailure> | undefined;
  try {
    override = options.classifier(error);
  } catch (classifierError) {
    return { ...builtIn, message: redactSecrets(classifierFailed(builtIn.message, describeThrown(classifierError))) };
  }
  if (override === undefined || override === null) return builtIn;
  const merged: ClassifiedFailure = { ...builtIn };
  for (const [key, value] of Object.entries(override)) {
    if (value !== undefined) (merged as unknown as Record<string, unknown>)[key] = value;
  }
  merged.message = limitMessage(redactSecrets(String(merged.message)));
  // A failure the classifier made permanent must not keep a built-in Retry-After.
  if (merged.kind === 'permanent' && override.retryAfterMs === undefined) merged.retryAfterMs = null;
  return merged;
}

/** The HTTP status rule table: kind and category for a status code. */
export function classifyHttpStatus(statusCode: number): HttpRule | null {
  if (statusCode >= 500 && statusCode <= 599) return { kind: 'transient', category: 'server_error' };
  if (statusCode === 408) return { kind: 'transient', category: 'timeout' };
  if (statusCode === 429) return { kind: 'transient', category: 'rate_limited' };
  if (statusCode === 401 || statusCode === 403) return { kind: 'permanent', category: 'auth' };
  if (statusCode === 404 || statusCode === 410) return { kind: 'permanent', category: 'not_found' };
  if (statusCode === 422) return { kind: 'permanent', category: 'validation' };
  if (statusCode >= 400 && statusCode <= 499) return { kind: 'permanent', category: 'client_error' };
  return null;
}

function classifyBuiltIn(error: unknown, now: EpochMs | undefined): ClassifiedFailure {
  const chain = causeChain(error);
  const statusCode = firstDefined(chain, statusOf);
  const code = firstDefined(chain, (link) => knownCodeOf(link)) ?? firstDefined(chain, codeOf);
  const tlsProblem = code === null ? undefined : TLS_CODES[code];
  const plain = messageOf(error, chain, statusCode, code);
  const described = tlsProblem === undefined || plain.startsWith('TLS:') ? plain : tlsFailure(tlsProblem, code as string, plain);
  const message = limitMessage(redactSecrets(described));
  const explicit = chain.find((link) => explicitKindOf(link) !== null);

  const rule = chooseRule(chain, statusCode, code);
  const kind = explicit === undefined ? rule.kind : (explicitKindOf(explicit) as FailureKind);
  return {
    kind,
    category: rule.category,
    message,
    statusCode,
    code,
    retryAfterMs: kind === 'transient' ? retryAfterOf(chain, explicit, statusCode, now) : null,
  };
}

function chooseRule(chain: readonly unknown[], statusCode: number | null, code: string | null): HttpRule {
  const httpRule = statusCode === null ? null : classifyHttpStatus(statusCode);
  if (httpRule !== null) return httpRule;
  for (const link of chain) {
    const name = nameOf(link);
    if (name === 'TimeoutError') return { kind: 'transient', category: 'timeout' };
    if (name === 'AbortError') return { kind: 'transient', category: 'aborted' };
    if (name !== null && (name.endsWith('ValidationError') || name === 'ZodError')) {
      return { kind: 'permanent', category: 'validation' };
    }
  }
  if (code !== null && code in TLS_CODES) return { kind: 'permanent', category: 'tls' };
  const codeCategory = code === null ? undefined : TRANSIENT_CODES[code];
  if (codeCategory !== undefined) return { kind: 'transient', category: codeCategory };
  return { kind: 'transient', category: 'unknown' };
}

// ---------------------------------------------------------------------------
// Reading the thrown value
// ---------------------------------------------------------------------------

/** The thrown value, its causes, an aborted signal's reason and an AggregateError's first error; no repeats. */
function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  const pending: unknown[] = [error];
  for (let visits = 0; pending.length > 0 && chain.length < MAX_CAUSE_DEPTH && visits < 4 * MAX_CAUSE_DEPTH; visits++) {
    const link = pending.shift();
    if (link === undefined || link === null || chain.includes(link)) continue;
    chain.push(link);
    if (typeof link !== 'object') continue;
    const record = link as Record<string, unknown>;
    if (record.cause !== undefined) pending.push(record.cause);
    const signal = record.signal as { aborted?: unknown; reason?: unknown } | undefined;
    if (isObject(signal) && signal.aborted === true) pending.push(signal.reason);
    if (Array.isArray(record.errors) && record.errors.length > 0) pending.push(record.errors[0]);
  }
  if (chain.length === 0) chain.push(error);
  return chain;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function firstDefined<T>(chain: readonly unknown[], read: (link: unknown) => T | null): T | null {
  for (const link of chain) {
    const found = read(link);
    if (found !== null) return found;
  }
  return null;
}

function asHttpStatus(value: unknown): number | null {
  const n = typeof value === 'string' && /^\d{3}$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 100 && n <= 599 ? n : null;
}

function statusOf(link: unknown): number | null {
  if (!isObject(link)) return null;
  const response = isObject(link.response) ? link.response : {};
  return asHttpStatus(link.statusCode) ?? asHttpStatus(link.status) ?? asHttpStatus(response.status) ?? asHttpStatus(response.statusCode);
}

function codeOf(link: unknown): string | null {
  if (!isObject(link)) return null;
  return typeof link.code === 'string' && link.code !== '' ? link.code : null;
}

function knownCodeOf(link: unknown): string | null {
  const code = codeOf(link);
  return code !== null && (code in TRANSIENT_CODES || code in TLS_CODES) ? code : null;
}

function nameOf(link: unknown): string | null {
  if (!isObject(link)) return null;
  return typeof link.name === 'string' ? link.name : null;
}

/** Detected by name as well as by class, so a second copy of the library still counts. */
function explicitKindOf(link: unknown): FailureKind | null {
  const name = nameOf(link);
  if (name === 'TransientPollError') return 'transient';
  if (name === 'PermanentPollError') return 'permanent';
  return null;
}

// ---------------------------------------------------------------------------
// Retry-After
// ---------------------------------------------------------------------------

/**
 * Only 429 and 503 carry a Retry-After the poller should honour; an explicit
 * `TransientPollError` with `retryAfterMs` is honoured whatever its status.
 */
function retryAfterOf(chain: readonly unknown[], explicit: unknown, statusCode: number | null, now: EpochMs | undefined): number | null {
  const explicitDelay = isObject(explicit) ? asDelayMs(explicit.retryAfterMs) : null;
  if (explicitDelay !== null) return explicitDelay;
  if (statusCode !== 429 && statusCode !== 503) return null;
  for (const link of chain) {
    if (!isObject(link)) continue;
    const direct = asDelayMs(link.retryAfterMs);
    if (direct !== null) return direct;
    const response = isObject(link.response) ? link.response : {};
    const header = headerValue(link.headers, 'retry-after') ?? headerValue(response.headers, 'retry-after');
    const fromHeader = header === null ? null : parseRetryAfter(header, now);
    if (fromHeader !== null) return fromHeader;
  }
  return null;
}

function asDelayMs(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null;
}

/** Reads a header from a plain object (any key case) or a fetch `Headers`-like object. */
function headerValue(headers: unknown, name: string): string | null {
  if (!isObject(headers)) return null;
  if (typeof headers.get === 'function') {
    const value: unknown = (headers.get as (key: string) => unknown).call(headers, name);
    return typeof value === 'string' ? value : null;
  }
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name) continue;
    const first: unknown = Array.isArray(value) ? value[0] : value;
    if (typeof first === 'string') return first;
    if (typeof first === 'number') return String(first);
  }
  return null;
}

/** Retry-After is either delay-seconds or an HTTP date; a date in the past means "now". */
export function parseRetryAfter(value: string, now: EpochMs | undefined): number | null {
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP date names its day and month; this keeps Date.parse from reading `-5` as a year.
  if (now === undefined || !/[a-z]/i.test(text)) return null;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

// ---------------------------------------------------------------------------
// Message
// ---------------------------------------------------------------------------

function messageOf(error: unknown, chain: readonly unknown[], statusCode: number | null, code: string | null): string {
  if (!(error instanceof Error) && !hasMessage(error)) return nonErrorThrown(describeThrown(error));

  // Generic wrappers ("fetch failed") say little: append the causes' messages.
  const parts: string[] = [];
  for (const link of chain) {
    const text = hasMessage(link) ? link.message.trim() : '';
    if (text !== '' && !parts.some((part) => part.includes(text))) parts.push(text);
  }
  if (parts.length > 0) return parts.join(': ');

  const details: string[] = [];
  if (statusCode !== null) details.push(httpStatusDetail(statusCode));
  if (code !== null) details.push(code);
  return errorWithoutMessage(nameOf(error) ?? 'Error', details);
}

function hasMessage(value: unknown): value is { message: string } {
  return isObject(value) && typeof value.message === 'string';
}

/** Text for a thrown value that is not an Error: strings as they are, the rest as JSON where possible. */
function describeThrown(value: unknown): string {
  if (typeof value === 'string') return value === '' ? '""' : value;
  if (value instanceof Error) return value.message || value.name;
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  try {
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- only reached for undefined and functions
    return JSON.stringify(value) ?? String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

function limitMessage(text: string): string {
  return text.length <= MAX_MESSAGE_LENGTH ? text : `${text.slice(0, MAX_MESSAGE_LENGTH - 1)}…`;
}
