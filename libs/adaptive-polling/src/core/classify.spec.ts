import { describe, expect, it } from 'vitest';
import { classifyFailure, parseRetryAfter } from './classify';
import { PermanentPollError, TransientPollError } from './errors';
import type { ClassifiedFailure } from './types';

/** An Error carrying extra fields, the way HTTP clients and Node build them. */
function errorWith(message: string, fields: Record<string, unknown>): Error {
  return Object.assign(new Error(message), fields);
}

const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);

type Expected = Pick<ClassifiedFailure, 'kind' | 'category'> & Partial<ClassifiedFailure>;

describe('classifyFailure: built-in rules', () => {
  it.each<[string, unknown, Expected]>([
    // Network error codes
    [
      'ECONNREFUSED',
      errorWith('connect ECONNREFUSED', { code: 'ECONNREFUSED' }),
      { kind: 'transient', category: 'network', code: 'ECONNREFUSED' },
    ],
    ['ECONNRESET', errorWith('socket hang up', { code: 'ECONNRESET' }), { kind: 'transient', category: 'network', code: 'ECONNRESET' }],
    ['ETIMEDOUT', errorWith('connect ETIMEDOUT', { code: 'ETIMEDOUT' }), { kind: 'transient', category: 'timeout', code: 'ETIMEDOUT' }],
    ['EAI_AGAIN', errorWith('getaddrinfo EAI_AGAIN', { code: 'EAI_AGAIN' }), { kind: 'transient', category: 'network', code: 'EAI_AGAIN' }],
    ['EPIPE', errorWith('write EPIPE', { code: 'EPIPE' }), { kind: 'transient', category: 'network', code: 'EPIPE' }],
    [
      'ENOTFOUND (DNS can flap)',
      errorWith('getaddrinfo ENOTFOUND pve1', { code: 'ENOTFOUND' }),
      { kind: 'transient', category: 'network', code: 'ENOTFOUND' },
    ],
    ['EHOSTUNREACH', errorWith('connect EHOSTUNREACH', { code: 'EHOSTUNREACH' }), { kind: 'transient', category: 'network' }],
    ['ENETUNREACH', errorWith('connect ENETUNREACH', { code: 'ENETUNREACH' }), { kind: 'transient', category: 'network' }],
    [
      'undici connect timeout',
      errorWith('Connect Timeout Error', { code: 'UND_ERR_CONNECT_TIMEOUT' }),
      { kind: 'transient', category: 'timeout' },
    ],
    [
      'undici headers timeout',
      errorWith('Headers Timeout Error', { code: 'UND_ERR_HEADERS_TIMEOUT' }),
      { kind: 'transient', category: 'timeout' },
    ],
    ['undici socket error', errorWith('other side closed', { code: 'UND_ERR_SOCKET' }), { kind: 'transient', category: 'network' }],
    // HTTP status
    ['500', errorWith('Internal Server Error', { statusCode: 500 }), { kind: 'transient', category: 'server_error', statusCode: 500 }],
    ['502', errorWith('Bad Gateway', { status: 502 }), { kind: 'transient', category: 'server_error', statusCode: 502 }],
    ['503', errorWith('Service Unavailable', { statusCode: 503 }), { kind: 'transient', category: 'server_error', retryAfterMs: null }],
    ['599', errorWith('x', { statusCode: 599 }), { kind: 'transient', category: 'server_error' }],
    ['408', errorWith('Request Timeout', { statusCode: 408 }), { kind: 'transient', category: 'timeout', statusCode: 408 }],
    [
      '429 without Retry-After',
      errorWith('Too Many Requests', { statusCode: 429 }),
      { kind: 'transient', category: 'rate_limited', retryAfterMs: null },
    ],
    ['401', errorWith('Unauthorized', { statusCode: 401 }), { kind: 'permanent', category: 'auth', statusCode: 401 }],
    ['403', errorWith('Forbidden', { status: 403 }), { kind: 'permanent', category: 'auth', statusCode: 403 }],
    ['404', errorWith('Not Found', { statusCode: 404 }), { kind: 'permanent', category: 'not_found', statusCode: 404 }],
    ['410', errorWith('Gone', { statusCode: 410 }), { kind: 'permanent', category: 'not_found' }],
    ['422', errorWith('Unprocessable Entity', { statusCode: 422 }), { kind: 'permanent', category: 'validation', statusCode: 422 }],
    ['400', errorWith('Bad Request', { statusCode: 400 }), { kind: 'permanent', category: 'client_error', statusCode: 400 }],
    ['418', errorWith('teapot', { statusCode: 418 }), { kind: 'permanent', category: 'client_error' }],
    [
      'axios-style response.status',
      errorWith('Request failed with status code 401', { code: 'ERR_BAD_REQUEST', response: { status: 401 } }),
      { kind: 'permanent', category: 'auth', statusCode: 401, code: 'ERR_BAD_REQUEST' },
    ],
    ['status as a numeric string', errorWith('x', { status: '503' }), { kind: 'transient', category: 'server_error', statusCode: 503 }],
    [
      'status wins over a network code',
      errorWith('x', { statusCode: 404, code: 'ECONNRESET' }),
      { kind: 'permanent', category: 'not_found' },
    ],
    [
      'a non-HTTP status field is ignored',
      errorWith('x', { status: 'failed' }),
      { kind: 'transient', category: 'unknown', statusCode: null },
    ],
    // Timeouts and aborts
    ['AbortError', errorWith('This operation was aborted', { name: 'AbortError' }), { kind: 'transient', category: 'aborted' }],
    [
      'TimeoutError',
      errorWith('The operation was aborted due to timeout', { name: 'TimeoutError' }),
      { kind: 'transient', category: 'timeout' },
    ],
    [
      'DOMException TimeoutError (AbortSignal.timeout)',
      new DOMException('signal timed out', 'TimeoutError'),
      { kind: 'transient', category: 'timeout' },
    ],
    ['DOMException AbortError', new DOMException('aborted', 'AbortError'), { kind: 'transient', category: 'aborted' }],
    ['Node ABORT_ERR code', errorWith('The operation was aborted', { code: 'ABORT_ERR' }), { kind: 'transient', category: 'aborted' }],
    [
      'error carrying an aborted signal with a timeout reason',
      errorWith('request cancelled', { signal: { aborted: true, reason: new DOMException('timed out', 'TimeoutError') } }),
      { kind: 'transient', category: 'timeout' },
    ],
    [
      'a signal that did not abort is ignored',
      errorWith('x', { signal: { aborted: false, reason: undefined } }),
      { kind: 'transient', category: 'unknown' },
    ],
    // Validation
    ['ValidationError', errorWith('name is required', { name: 'ValidationError' }), { kind: 'permanent', category: 'validation' }],
    ['SchemaValidationError', errorWith('bad payload', { name: 'SchemaValidationError' }), { kind: 'permanent', category: 'validation' }],
    ['ZodError', errorWith('invalid', { name: 'ZodError' }), { kind: 'permanent', category: 'validation' }],
    // Fallback
    [
      'plain Error',
      new Error('something odd'),
      { kind: 'transient', category: 'unknown', statusCode: null, code: null, retryAfterMs: null },
    ],
    [
      'unknown code is kept but not trusted',
      errorWith('x', { code: 'ERR_SOMETHING_ODD' }),
      { kind: 'transient', category: 'unknown', code: 'ERR_SOMETHING_ODD' },
    ],
  ])('%s', (_name, error, expected) => {
    expect(classifyFailure(error)).toMatchObject(expected);
  });
});

describe('classifyFailure: cause chains (Node fetch, wrappers)', () => {
  it('reads the code from a fetch-style cause and joins the messages', () => {
    const error = new TypeError('fetch failed', {
      cause: errorWith('connect ECONNREFUSED 10.0.0.5:8006', { code: 'ECONNREFUSED' }),
    });
    expect(classifyFailure(error)).toEqual({
      kind: 'transient',
      category: 'network',
      message: 'fetch failed: connect ECONNREFUSED 10.0.0.5:8006',
      statusCode: null,
      code: 'ECONNREFUSED',
      retryAfterMs: null,
    });
  });

  it('reads an undici timeout through the fetch cause', () => {
    const error = new TypeError('fetch failed', { cause: errorWith('Connect Timeout Error', { code: 'UND_ERR_CONNECT_TIMEOUT' }) });
    expect(classifyFailure(error)).toMatchObject({ kind: 'transient', category: 'timeout', code: 'UND_ERR_CONNECT_TIMEOUT' });
  });

  it('reads an HTTP status several causes deep', () => {
    const error = new Error('poll of pve1 failed', {
      cause: new Error('client error', { cause: errorWith('Unauthorized', { statusCode: 401 }) }),
    });
    expect(classifyFailure(error)).toMatchObject({ kind: 'permanent', category: 'auth', statusCode: 401 });
  });

  it('prefers a known network code deeper in the chain over an unknown one on top', () => {
    const error = errorWith('wrapped', { code: 'E_WRAPPED', cause: errorWith('reset', { code: 'ECONNRESET' }) });
    expect(classifyFailure(error)).toMatchObject({ category: 'network', code: 'ECONNRESET' });
  });

  it('reads the first error of an AggregateError (dual-stack connect)', () => {
    const error = new TypeError('fetch failed', {
      cause: new AggregateError([errorWith('connect ECONNREFUSED ::1:8006', { code: 'ECONNREFUSED' })], ''),
    });
    expect(classifyFailure(error)).toMatchObject({ category: 'network', code: 'ECONNREFUSED' });
  });

  it('survives a cyclic cause chain', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as Error & { cause?: unknown }).cause = b;
    expect(classifyFailure(a)).toMatchObject({ kind: 'transient', category: 'unknown', message: 'a: b' });
  });

  it('stops following causes after a bounded depth', () => {
    let error: Error = errorWith('deepest', { statusCode: 401 });
    for (let i = 0; i < 20; i++) error = new Error(`level ${i}`, { cause: error });
    expect(classifyFailure(error)).toMatchObject({ kind: 'transient', statusCode: null });
  });
});

describe('classifyFailure: explicit error classes', () => {
  it.each<[string, unknown, Expected]>([
    ['TransientPollError', new TransientPollError('backend busy'), { kind: 'transient', category: 'unknown', statusCode: null }],
    [
      'TransientPollError with 503',
      new TransientPollError('busy', { statusCode: 503 }),
      { kind: 'transient', category: 'server_error', statusCode: 503 },
    ],
    [
      'TransientPollError with 404 stays transient',
      new TransientPollError('not yet there', { statusCode: 404 }),
      { kind: 'transient', category: 'not_found' },
    ],
    [
      'TransientPollError with a network cause',
      new TransientPollError('down', { cause: errorWith('x', { code: 'ECONNRESET' }) }),
      { kind: 'transient', category: 'network', code: 'ECONNRESET' },
    ],
    ['PermanentPollError', new PermanentPollError('bad config'), { kind: 'permanent', category: 'unknown', retryAfterMs: null }],
    [
      'PermanentPollError with 401',
      new PermanentPollError('bad token', { statusCode: 401 }),
      { kind: 'permanent', category: 'auth', statusCode: 401 },
    ],
    [
      'PermanentPollError with 500 stays permanent',
      new PermanentPollError('broken forever', { statusCode: 500 }),
      { kind: 'permanent', category: 'server_error' },
    ],
    [
      'PermanentPollError over a transient cause',
      new PermanentPollError('give up', { cause: errorWith('x', { code: 'ECONNREFUSED' }) }),
      { kind: 'permanent', category: 'network' },
    ],
    [
      'an explicit class found inside a wrapper',
      new Error('wrapped', { cause: new PermanentPollError('nope', { statusCode: 403 }) }),
      { kind: 'permanent', category: 'auth' },
    ],
    [
      'recognised by name (another copy of the library)',
      errorWith('x', { name: 'PermanentPollError' }),
      { kind: 'permanent', category: 'unknown' },
    ],
  ])('%s', (_name, error, expected) => {
    expect(classifyFailure(error)).toMatchObject(expected);
  });
});

describe('classifyFailure: Retry-After', () => {
  it.each<[string, unknown, number | null]>([
    ['429 + Retry-After seconds (plain headers)', errorWith('x', { statusCode: 429, headers: { 'retry-after': '120' } }), 120_000],
    ['429 + Retry-After with another key case', errorWith('x', { statusCode: 429, headers: { 'Retry-After': '7' } }), 7_000],
    ['429 + Retry-After as a number', errorWith('x', { statusCode: 429, headers: { 'retry-after': 3 } }), 3_000],
    [
      '429 + Retry-After HTTP date',
      errorWith('x', { statusCode: 429, headers: { 'retry-after': new Date(NOW + 90_000).toUTCString() } }),
      90_000,
    ],
    [
      '429 + Retry-After date in the past',
      errorWith('x', { statusCode: 429, headers: { 'retry-after': new Date(NOW - 5_000).toUTCString() } }),
      0,
    ],
    ['503 + Retry-After (axios response.headers)', errorWith('x', { response: { status: 503, headers: { 'retry-after': '30' } } }), 30_000],
    ['503 + fetch Headers object', errorWith('x', { status: 503, headers: new Headers({ 'Retry-After': '4' }) }), 4_000],
    ['429 + retryAfterMs on the error', errorWith('x', { statusCode: 429, retryAfterMs: 2_500 }), 2_500],
    ['429 + retryAfterMs on a cause', new Error('wrapped', { cause: errorWith('x', { statusCode: 429, retryAfterMs: 1_000 }) }), 1_000],
    [
      'TransientPollError with retryAfterMs and 429',
      new TransientPollError('slow down', { statusCode: 429, retryAfterMs: 60_000 }),
      60_000,
    ],
    ['TransientPollError with retryAfterMs, no status', new TransientPollError('maintenance', { retryAfterMs: 5_000 }), 5_000],
    ['500 with Retry-After is ignored', errorWith('x', { statusCode: 500, headers: { 'retry-after': '30' } }), null],
    ['401 with Retry-After is ignored', errorWith('x', { statusCode: 401, headers: { 'retry-after': '30' } }), null],
    ['unreadable Retry-After', errorWith('x', { statusCode: 429, headers: { 'retry-after': 'soon' } }), null],
    ['negative retryAfterMs', errorWith('x', { statusCode: 429, retryAfterMs: -1 }), null],
  ])('%s', (_name, error, expected) => {
    expect(classifyFailure(error, { now: NOW }).retryAfterMs).toBe(expected);
  });

  it('ignores an HTTP-date Retry-After when no clock reading is given', () => {
    const error = errorWith('x', { statusCode: 429, headers: { 'retry-after': new Date(NOW + 90_000).toUTCString() } });
    expect(classifyFailure(error).retryAfterMs).toBeNull();
  });

  it.each<[string, number | undefined, number | null]>([
    ['0', NOW, 0],
    [' 15 ', NOW, 15_000],
    ['Sun, 22 Nov 2026 12:01:00 GMT', NOW, 60_000],
    ['Sun, 22 Nov 2026 12:01:00 GMT', undefined, null],
    ['', NOW, null],
    ['-5', NOW, null],
    ['1.5', NOW, null],
  ])('parseRetryAfter(%j, now %s) -> %s', (value, now, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});

describe('classifyFailure: values that are not Errors', () => {
  it.each<[string, unknown, string]>([
    ['string', 'connection lost', 'poll failed with a non-error value: connection lost'],
    ['empty string', '', 'poll failed with a non-error value: ""'],
    ['number', 42, 'poll failed with a non-error value: 42'],
    ['null', null, 'poll failed with a non-error value: null'],
    ['undefined', undefined, 'poll failed with a non-error value: undefined'],
    ['plain object', { reason: 'busy' }, 'poll failed with a non-error value: {"reason":"busy"}'],
    ['bigint', 10n, 'poll failed with a non-error value: 10n'],
  ])('%s: unknown, transient, message from the value', (_name, value, message) => {
    expect(classifyFailure(value)).toEqual({
      kind: 'transient',
      category: 'unknown',
      message,
      statusCode: null,
      code: null,
      retryAfterMs: null,
    });
  });

  it('a plain object with a message and status is read like an error', () => {
    expect(classifyFailure({ message: 'Unauthorized', statusCode: 401 })).toMatchObject({
      kind: 'permanent',
      category: 'auth',
      message: 'Unauthorized',
    });
  });

  it('a circular plain object still gets a message', () => {
    const value: Record<string, unknown> = {};
    value.self = value;
    expect(classifyFailure(value).message).toBe('poll failed with a non-error value: [object Object]');
  });

  it('an Error without a message says what is known', () => {
    expect(classifyFailure(errorWith('', { statusCode: 503 })).message).toBe('Error (HTTP 503)');
    expect(classifyFailure(errorWith('', { code: 'ECONNRESET' })).message).toBe('Error (ECONNRESET)');
    expect(classifyFailure(new RangeError()).message).toBe('RangeError without a message');
  });
});

describe('classifyFailure: secrets never reach the message', () => {
  it.each<[string, unknown, string, string]>([
    ['URL credentials', new Error('GET https://root:s3cret@pve1:8006/api2/json failed'), 's3cret', 'https://***@pve1:8006'],
    ['token query value', new Error('GET https://pve1/api?token=abc123&x=1 failed'), 'abc123', 'token=***&x=1'],
    ['bearer token', new Error('rejected Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig'), 'eyJhbGci', 'Bearer ***'],
    ['in a cause message', new TypeError('fetch failed', { cause: new Error('https://u:pw12345@h/') }), 'pw12345', '***@h'],
    ['in a thrown string', 'failed with password=hunter2', 'hunter2', 'password=***'],
  ])('%s', (_name, error, secret, shown) => {
    const { message } = classifyFailure(error);
    expect(message).not.toContain(secret);
    expect(message).toContain(shown);
  });

  it('caps very long messages', () => {
    expect(classifyFailure(new Error('x'.repeat(5_000))).message.length).toBeLessThanOrEqual(1_000);
  });
});

describe('classifyFailure: custom classifier', () => {
  it('is consulted first and its partial answer overrides the built-in one', () => {
    const seen: unknown[] = [];
    const error = errorWith('quota exceeded', { statusCode: 400 });
    const result = classifyFailure(error, {
      classifier: (e) => {
        seen.push(e);
        return { kind: 'transient', category: 'rate_limited' };
      },
    });
    expect(seen).toEqual([error]);
    expect(result).toEqual({
      kind: 'transient',
      category: 'rate_limited',
      message: 'quota exceeded',
      statusCode: 400,
      code: null,
      retryAfterMs: null,
    });
  });

  it('falls through to the built-in rules when it returns undefined', () => {
    const result = classifyFailure(errorWith('x', { statusCode: 404 }), { classifier: () => undefined });
    expect(result).toMatchObject({ kind: 'permanent', category: 'not_found' });
  });

  it('can make an unknown error permanent and set a Retry-After', () => {
    expect(classifyFailure(new Error('license expired'), { classifier: () => ({ kind: 'permanent' }) })).toMatchObject({
      kind: 'permanent',
      category: 'unknown',
    });
    expect(classifyFailure(new Error('busy'), { classifier: () => ({ retryAfterMs: 10_000 }) }).retryAfterMs).toBe(10_000);
  });

  it('drops the built-in Retry-After when it makes the failure permanent', () => {
    const error = errorWith('x', { statusCode: 429, retryAfterMs: 5_000 });
    expect(classifyFailure(error, { classifier: () => ({ kind: 'permanent' }) }).retryAfterMs).toBeNull();
  });

  it('has its message redacted too', () => {
    const result = classifyFailure(new Error('x'), { classifier: () => ({ message: 'see https://a:b@host/' }) });
    expect(result.message).toBe('see https://***@host/');
  });

  it('throwing falls back to the built-in rules and says so in the message', () => {
    const result = classifyFailure(errorWith('Forbidden', { statusCode: 403 }), {
      classifier: () => {
        throw new Error('classifier bug');
      },
    });
    expect(result).toMatchObject({ kind: 'permanent', category: 'auth' });
    expect(result.message).toBe('Forbidden [custom failure classifier threw: classifier bug; built-in rules used]');
  });
});

describe('classifyFailure: TLS certificate errors are permanent `tls`, for every poller', () => {
  /** What Node's fetch throws: `TypeError: fetch failed` with the socket error as its cause. */
  const viaFetch = (cause: Error) => Object.assign(new TypeError('fetch failed'), { cause });

  it.each<[string, string, string]>([
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate', 'self-signed certificate'],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain', 'self-signed certificate in the chain'],
    ['CERT_HAS_EXPIRED', 'certificate has expired', 'certificate expired'],
    [
      'ERR_TLS_CERT_ALTNAME_INVALID',
      "Hostname/IP does not match certificate's altnames: Host: pve1. is not in the cert's altnames: DNS:localhost",
      'certificate name mismatch',
    ],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate', 'certificate not signed by a trusted CA'],
    ['ERR_TLS_FINGERPRINT_MISMATCH', 'certificate fingerprint AA:BB does not match the pinned CC:DD', 'certificate fingerprint mismatch'],
  ])('%s, direct and nested under cause', (code, nodeMessage, problem) => {
    for (const error of [errorWith(nodeMessage, { code }), viaFetch(errorWith(nodeMessage, { code }))]) {
      const result = classifyFailure(error);
      expect(result).toMatchObject({ kind: 'permanent', category: 'tls', code, retryAfterMs: null });
      expect(result.message).toContain(`TLS: ${problem} (${code})`);
      expect(result.message).toContain(nodeMessage);
    }
  });

  it('a network error code is still transient (the TLS rule does not swallow it)', () => {
    expect(classifyFailure(viaFetch(errorWith('connect ECONNREFUSED', { code: 'ECONNREFUSED' })))).toMatchObject({
      kind: 'transient',
      category: 'network',
    });
  });
});
