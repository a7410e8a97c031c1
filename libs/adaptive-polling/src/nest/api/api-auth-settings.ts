import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { inspect } from 'node:util';
import type { CanActivate, Type } from '@nestjs/common';

/** How the API authenticates: a bearer token, the host's own guard, or nothing (on purpose). */
export type ApiAuthMode = 'token' | 'guard' | 'none';

/** Where the bearer token came from (shown at start-up; the token itself never is). */
export type ApiTokenSource = 'api.token' | 'ADAPTIVE_POLLING_API_TOKEN';

/**
 * The resolved authentication of the health and management API. The token
 * itself is not kept: only its HMAC under a random per-instance key, so
 * neither logging this object nor a heap dump reveals it, and comparisons
 * run in constant time on equal-length digests.
 *
 * Exported by the module (`ADAPTIVE_POLLING_API_CONFIG`) so a host can put
 * other surfaces (e.g. Bull Board) behind the same token: `matchesToken()`.
 */
export class ApiAuthSettings {
  readonly #hmacKey: Buffer;
  readonly #tokenDigest: Buffer | null;

  private constructor(
    readonly mode: ApiAuthMode,
    readonly guard: Type<CanActivate> | null,
    readonly tokenSource: ApiTokenSource | null,
    token: string | null,
  ) {
    this.#hmacKey = randomBytes(32);
    this.#tokenDigest = token === null ? null : this.digest(token);
  }

  static token(token: string, source: ApiTokenSource): ApiAuthSettings {
    return new ApiAuthSettings('token', null, source, token);
  }

  static hostGuard(guard: Type<CanActivate>): ApiAuthSettings {
    return new ApiAuthSettings('guard', guard, null, null);
  }

  static none(): ApiAuthSettings {
    return new ApiAuthSettings('none', null, null, null);
  }

  /** Constant-time check of a presented bearer token; false unless mode is `token`. */
  matchesToken(candidate: string): boolean {
    if (this.#tokenDigest === null) return false;
    return timingSafeEqual(this.digest(candidate), this.#tokenDigest);
  }

  /** One line for the start-up log. */
  describe(): string {
    if (this.mode === 'token') return `bearer token (from ${this.tokenSource})`;
    if (this.mode === 'guard') return `host guard ${this.guard?.name ?? '(anonymous class)'}`;
    return 'none (api.auth: false)';
  }

  toJSON(): Record<string, unknown> {
    return { mode: this.mode, guard: this.guard?.name ?? null, tokenSource: this.tokenSource };
  }

  [inspect.custom](): string {
    return `ApiAuthSettings(${this.describe()})`;
  }

  private digest(value: string): Buffer {
    return createHmac('sha256', this.#hmacKey).update(value, 'utf8').digest();
  }
}
