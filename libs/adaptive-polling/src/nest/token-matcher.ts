import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { inspect } from 'node:util';

/**
 * Checks a presented secret against one token in constant time. Keeps only
 * an HMAC of the token under a random per-instance key, so logging the
 * object or a heap dump does not reveal it, and the comparison runs on
 * equal-length digests whatever the candidate's length.
 */
export class TokenMatcher {
  readonly #key = randomBytes(32);
  readonly #digest: Buffer;

  constructor(token: string) {
    this.#digest = this.hash(token);
  }

  matches(candidate: string): boolean {
    return timingSafeEqual(this.hash(candidate), this.#digest);
  }

  toJSON(): string {
    return 'TokenMatcher';
  }

  [inspect.custom](): string {
    return 'TokenMatcher';
  }

  private hash(value: string): Buffer {
    return createHmac('sha256', this.#key).update(value, 'utf8').digest();
  }
}
