/**
 * The one rule set that removes secrets from whatever is stored, logged,
 * exported as a metric label, shown in health output or in Bull Board.
 * Error messages of HTTP clients often quote the URL or the headers they
 * failed on, so text is searched as well as object keys.
 *
 * A secret key is any name (case-insensitive, `-`, `_`, `.` and spaces
 * ignored) containing one of SECRET_KEY_WORDS: `password`, `PVEAuthCookie`,
 * `CSRFPreventionToken`, `api_key`, `ticket`, `Authorization`...
 *
 * In text: URL credentials (`https://user:pass@host` -> `https://***@host`);
 * values of secret keys as query or form values (`ticket=...`,
 * `PVEAPIToken=...`), as JSON or inspected-object members
 * (`"password":"..."`, `pass: '...'`) and as header lines
 * (`CSRFPreventionToken: ...`); `Authorization:` values whatever their
 * scheme; `Bearer` tokens. Idempotent: redacting twice changes nothing more.
 */

export const REDACTED = '***';

/** Words that make a key secret when its name contains one. */
export const SECRET_KEY_WORDS = [
  'token',
  'secret',
  'password',
  'passwd',
  'pass',
  'pwd',
  'ticket',
  'cookie',
  'authorization',
  'apikey',
  'accesskey',
  'privatekey',
  'csrf',
  'credential',
  'sessionid',
  'signature',
] as const;

// As whole names, also secret: key material (`key`, `sshKey`), `auth` and `session` objects, salts.
const SECRET_KEY_NAME = new RegExp(`${SECRET_KEY_WORDS.join('|')}|key$|^auth$|^session|salt`);

/** True when a field, header, query parameter or label named `name` holds a secret. */
export function isSecretKey(name: string): boolean {
  return SECRET_KEY_NAME.test(name.toLowerCase().replace(/[-_.\s]/g, ''));
}

// The same words inside text, where keys may be written with separators (`api_key`, `access-key`).
const WORD_IN_TEXT = SECRET_KEY_WORDS.map((w) => w.replace(/key$/, String.raw`[_.-]?key`)).join('|');
const SECRET_KEY = String.raw`[\w.-]*(?:${WORD_IN_TEXT})[\w.-]*`;

// Everything between `scheme://` and the last `@` of the authority (user, or user:password).
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]*(?:@[^\s/?#@]*)*@/gi;

// `Authorization: <scheme> <credentials>` as printed in request dumps: hide the whole value.
const AUTHORIZATION_HEADER = /\b(authorization["']?\s*[:=]\s*["']?)[^"'\r\n,}]+/gi;

// A bearer token on its own; at least 8 characters so prose like "Bearer token" is left alone.
const BEARER_TOKEN = /\b(bearer\s+)[A-Za-z0-9\-._~+/]{8,}=*/gi;

// `key=value` up to the next separator (query strings, forms, cookies).
const SECRET_ASSIGNMENT = new RegExp(String.raw`\b(${SECRET_KEY})=[^&\s#;,"'<>]+`, 'gi');

// `"key": "value"` (JSON string values, escapes included).
const SECRET_JSON_MEMBER = new RegExp(String.raw`("${SECRET_KEY}"\s*:\s*")(?:[^"\\]|\\.)*"`, 'gi');

// `key: 'value'` or `key: value` (inspected objects, header lines): up to the end of the value.
const SECRET_COLON_MEMBER = new RegExp(
  String.raw`(^|[\s{,(\[])(${SECRET_KEY})(\s*:\s*)(['"]?)(?!\*\*\*)[^'"\r\n,}\s][^'"\r\n,}]*\4`,
  'gim',
);

export function redactSecrets(text: string): string {
  return text
    .replace(URL_CREDENTIALS, `$1${REDACTED}@`)
    .replace(AUTHORIZATION_HEADER, `$1${REDACTED}`)
    .replace(BEARER_TOKEN, `$1${REDACTED}`)
    .replace(SECRET_ASSIGNMENT, `$1=${REDACTED}`)
    .replace(SECRET_JSON_MEMBER, `$1${REDACTED}"`)
    .replace(SECRET_COLON_MEMBER, `$1$2$3$4${REDACTED}$4`);
}

const MAX_DEPTH = 8;

/**
 * A copy of `value` safe to print: members with a secret key are masked
 * (whatever their value), every string is passed through `redactSecrets`,
 * Errors become their redacted message. Plain data only; depth-bounded.
 */
export function redactValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactSecrets(value);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return redactSecrets(value.message);
  if (depth >= MAX_DEPTH) return REDACTED;
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value as Record<string, unknown>)) {
    out[key] = isSecretKey(key) ? REDACTED : redactValue(member, depth + 1);
  }
  return out;
}

/** A thrown value as one line of secret-free text (message only, never the stack). */
export function describeError(error: unknown): string {
  if (error instanceof Error) return redactSecrets(error.message || error.name);
  if (typeof error === 'string') return redactSecrets(error);
  try {
    return redactSecrets(JSON.stringify(redactValue(error)) ?? String(error));
  } catch {
    return 'unknown error';
  }
}
