import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

/** Where the API guard leaves the audit actor on the request. */
export const OPERATOR_ACTOR = Symbol('adaptive-polling.operator-actor');

/** The parts of an HTTP request the API's auth reads (Express and Fastify alike). */
export interface ApiRequest {
  headers: Record<string, string | string[] | undefined>;
  /** Set by a host guard (e.g. Passport). */
  user?: unknown;
  [OPERATOR_ACTOR]?: string;
}

export const ACTOR_TOKEN = 'operator:token';
export const ACTOR_ANONYMOUS = 'operator:anonymous';
export const ACTOR_UNKNOWN = 'operator:unknown';

const NAME_FIELDS = ['name', 'username', 'preferred_username', 'email', 'id', 'sub'] as const;
const MAX_NAME_LENGTH = 100;

function cleanName(raw: string): string | null {
  const name = raw
    .trim()
    .replace(/[^\w.@+:-]/g, '_')
    .slice(0, MAX_NAME_LENGTH);
  return name === '' ? null : name;
}

/**
 * The audit actor for what a host guard put on `request.user`:
 * `operator:<name>` from a string, or from the first of name, username,
 * preferred_username, email, id, sub; `operator:unknown` otherwise.
 */
export function actorFromUser(user: unknown): string {
  if (typeof user === 'string' || typeof user === 'number') {
    return `operator:${cleanName(String(user)) ?? 'unknown'}`;
  }
  if (typeof user === 'object' && user !== null) {
    const record = user as Record<string, unknown>;
    for (const field of NAME_FIELDS) {
      const value = record[field];
      if (typeof value === 'string' || typeof value === 'number') {
        const name = cleanName(String(value));
        if (name) return `operator:${name}`;
      }
    }
  }
  return ACTOR_UNKNOWN;
}

/** Controller parameter: the actor the API guard authenticated (`operator:token`, `operator:<user>`...). */
export const OperatorActor = createParamDecorator((_data: unknown, context: ExecutionContext): string => {
  const request = context.switchToHttp().getRequest<ApiRequest>();
  return request[OPERATOR_ACTOR] ?? ACTOR_UNKNOWN;
});
