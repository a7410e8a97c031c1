/**
 * Removes secrets from text before it is stored, logged, exported as a metric
 * label or shown in health output. Error messages of HTTP clients often quote
 * the URL or the request headers they failed on.
 *
 * Covered: URL credentials (`https://user:pass@host` -> `https://***@host`);
 * values of secret-looking keys, as query or form values (`token=`,
 * `password=`, `api_key=`, Proxmox's `PVEAPIToken=`...) and as JSON members
 * (`"password":"..."`); `Authorization:` header values; `Bearer` tokens.
 * Idempotent: redacting twice changes nothing more.
 */

const MASK = '***';

/** A key that names a secret: contains token, password, secret, api key... */
const SECRET_KEY = String.raw`[\w.-]*(?:token|password|passwd|pwd|secret|api[_-]?key|access[_-]?key|session[_-]?id)[\w.-]*`;

// Everything between `scheme://` and the last `@` of the authority (user, or user:password).
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]*(?:@[^\s/?#@]*)*@/gi;

// `key=value` up to the next separator.
const SECRET_ASSIGNMENT = new RegExp(String.raw`\b(${SECRET_KEY})=[^&\s#;,"'<>]+`, 'gi');

// `"key": "value"` (JSON string values, escapes included).
const SECRET_JSON_MEMBER = new RegExp(String.raw`("${SECRET_KEY}"\s*:\s*")(?:[^"\\]|\\.)*"`, 'gi');

// `Authorization: <scheme> <credentials>` as printed in request dumps: hide the whole value.
const AUTHORIZATION_HEADER = /\b(authorization["']?\s*[:=]\s*["']?)[^"'\r\n,}]+/gi;

// A bearer token on its own; at least 8 characters so prose like "Bearer token" is left alone.
const BEARER_TOKEN = /\b(bearer\s+)[A-Za-z0-9\-._~+/]{8,}=*/gi;

export function redactSecrets(text: string): string {
  return text
    .replace(URL_CREDENTIALS, `$1${MASK}@`)
    .replace(AUTHORIZATION_HEADER, `$1${MASK}`)
    .replace(BEARER_TOKEN, `$1${MASK}`)
    .replace(SECRET_ASSIGNMENT, `$1=${MASK}`)
    .replace(SECRET_JSON_MEMBER, `$1${MASK}"`);
}
