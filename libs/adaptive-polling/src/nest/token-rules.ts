/**
 * What a secret that opens an HTTP surface (API token, Bull Board token,
 * metrics scrape token) must look like: visible ASCII without spaces (what
 * fits in a header) and at least 16 characters, so it resists guessing
 * together with the failed-authentication limit.
 */
export const MIN_TOKEN_LENGTH = 16;

const TOKEN_PATTERN = /^[\x21-\x7e]+$/;

/** Why `value` cannot be a token, or null. Never quotes the value. */
export function tokenProblem(value: unknown): string | null {
  if (typeof value !== 'string' || !TOKEN_PATTERN.test(value)) return 'must be a non-empty string without spaces or control characters';
  if (value.length < MIN_TOKEN_LENGTH) {
    return `is ${value.length} characters long; use at least ${MIN_TOKEN_LENGTH} (e.g. openssl rand -base64 32)`;
  }
  return null;
}
