import type { RedisClient } from '../../engine/redis-connection';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A signed-in browser: its CSRF token travels in pages and comes back in a header on every POST. */
export interface ConsoleSession {
  csrf: string;
  actor: string;
  createdAt: number;
}

export const SESSION_COOKIE = 'ap_console';
const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Sessions in Redis under a TTL. The cookie holds a random id; Redis keeps
 * only its SHA-256, so reading Redis does not give a usable cookie, and the
 * API token is never in either.
 */
export class ConsoleSessionStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keyPrefix: string,
    readonly ttlMs: number,
  ) {}

  async create(actor: string, now: number): Promise<{ id: string; session: ConsoleSession }> {
    const id = randomToken();
    const session: ConsoleSession = { csrf: randomToken(), actor, createdAt: now };
    await this.redis.set(this.key(id), JSON.stringify(session), 'PX', this.ttlMs);
    return { id, session };
  }

  async read(id: string | null): Promise<ConsoleSession | null> {
    if (id === null || !SESSION_ID.test(id)) return null;
    const raw = await this.redis.get(this.key(id));
    if (raw === null) return null;
    try {
      return JSON.parse(raw) as ConsoleSession;
    } catch {
      return null;
    }
  }

  async destroy(id: string | null): Promise<void> {
    if (id !== null && SESSION_ID.test(id)) await this.redis.del(this.key(id));
  }

  private key(id: string): string {
    return `${this.keyPrefix}${createHash('sha256').update(id).digest('hex')}`;
  }
}

/** Constant-time comparison of a presented CSRF token with the session's. */
export function csrfMatches(session: ConsoleSession, presented: string | undefined): boolean {
  if (typeof presented !== 'string') return false;
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(session.csrf).digest();
  return timingSafeEqual(a, b);
}

export function cookieValue(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/** HttpOnly, SameSite=Strict, scoped to the console's path; Secure when the request came over HTTPS. */
export function sessionCookie(id: string, path: string, maxAgeMs: number, secure: boolean): string {
  const attributes = [`${SESSION_COOKIE}=${id}`, `Path=${path}`, `Max-Age=${Math.floor(maxAgeMs / 1000)}`, 'HttpOnly', 'SameSite=Strict'];
  if (secure) attributes.push('Secure');
  return attributes.join('; ');
}

export function clearedSessionCookie(path: string): string {
  return `${SESSION_COOKIE}=; Path=${path}; Max-Age=0; HttpOnly; SameSite=Strict`;
}
