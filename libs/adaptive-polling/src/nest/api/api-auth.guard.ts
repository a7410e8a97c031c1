import { describeError } from '../../core/redact';
import {
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
  Logger,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
  type OnModuleInit,
  type Type,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { isObservable, lastValueFrom } from 'rxjs';
import { ADAPTIVE_POLLING_API_CONFIG, ApiConfigError, type ResolvedApiConfig } from './api-config';
import {
  API_WITHOUT_AUTH_WARNING,
  MALFORMED_AUTHORIZATION,
  MISSING_BEARER,
  WRONG_BEARER,
  hostGuardUnresolvable,
  tooManyAuthFailures,
} from './api-messages';
import { clientAddress, type AddressedRequest } from '../client-address';
import { ACTOR_ANONYMOUS, ACTOR_TOKEN, OPERATOR_ACTOR, actorFromUser, type ApiRequest } from './operator-actor';

const BEARER = /^Bearer[ ]+([^\s]+)[ ]*$/i;
const REALM = 'Bearer realm="adaptive-polling"';

interface HeaderSettable {
  setHeader?: (name: string, value: string) => unknown;
  header?: (name: string, value: string) => unknown;
}

function setHeader(response: HeaderSettable, name: string, value: string): void {
  if (typeof response?.setHeader === 'function') response.setHeader(name, value);
  else if (typeof response?.header === 'function') response.header(name, value);
}

/**
 * Decides every API request: the bearer token (constant-time), the host's
 * own guard, or nothing when `auth: false` was set on purpose. Leaves the
 * audit actor on the request. One per module instance.
 */
@Injectable()
export class ApiAuthGate implements OnModuleInit {
  private readonly logger = new Logger('AdaptivePollingApi');
  private hostGuard: CanActivate | null = null;

  constructor(
    @Inject(ADAPTIVE_POLLING_API_CONFIG) private readonly config: ResolvedApiConfig,
    private readonly moduleRef: ModuleRef,
  ) {}

  async onModuleInit(): Promise<void> {
    const { auth, routes } = this.config;
    if (!routes.served) this.logger.log('health and management API: not served (api: false)');
    else if (auth.mode === 'none') this.logger.warn(API_WITHOUT_AUTH_WARNING);
    else this.logger.log(`health and management API (/${routes.basePath}): ${auth.describe()}`);
    if (auth.mode === 'guard' && auth.guard) this.hostGuard = await this.resolveHostGuard(auth.guard);
  }

  async authorize(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<ApiRequest & AddressedRequest>();
    const { auth, authFailures } = this.config;
    if (auth.mode === 'none') {
      request[OPERATOR_ACTOR] = ACTOR_ANONYMOUS;
      return true;
    }
    // A refused address is refused whatever it presents: a right guess must look like a wrong one.
    const client = clientAddress(request);
    this.refuseWhileLimited(http.getResponse(), authFailures.retryAfterMs(client));
    if (auth.mode === 'guard') {
      const guard = this.hostGuard;
      if (!guard) return false;
      let allowed = false;
      try {
        const verdict = guard.canActivate(context);
        allowed = isObservable(verdict) ? await lastValueFrom(verdict) : await verdict;
      } finally {
        if (!allowed) authFailures.recordFailure(client);
      }
      if (allowed) request[OPERATOR_ACTOR] = actorFromUser(request.user);
      return allowed;
    }
    // No credentials at all guess nothing: not counted.
    const header = request.headers?.authorization;
    if (header === undefined || header === '') this.refuse(http.getResponse(), MISSING_BEARER);
    const match = typeof header === 'string' ? BEARER.exec(header) : null;
    if (!match || !auth.matchesToken(match[1])) {
      authFailures.recordFailure(client);
      if (!match) this.refuse(http.getResponse(), MALFORMED_AUTHORIZATION);
      this.refuse(http.getResponse(), WRONG_BEARER, 'invalid_token');
    }
    request[OPERATOR_ACTOR] = ACTOR_TOKEN;
    return true;
  }

  private refuseWhileLimited(response: HeaderSettable, retryAfterMs: number): void {
    if (retryAfterMs <= 0) return;
    const seconds = Math.ceil(retryAfterMs / 1000);
    setHeader(response, 'Retry-After', String(seconds));
    throw new HttpException(tooManyAuthFailures(seconds), HttpStatus.TOO_MANY_REQUESTS);
  }

  private refuse(response: HeaderSettable, message: string, error?: string): never {
    setHeader(response, 'WWW-Authenticate', error ? `${REALM}, error="${error}"` : REALM);
    throw new UnauthorizedException(message);
  }

  /** The host's guard: its registered instance when it is a provider anywhere, else a new one. */
  private async resolveHostGuard(guard: Type<CanActivate>): Promise<CanActivate> {
    try {
      return this.moduleRef.get(guard, { strict: false });
    } catch {
      try {
        return await this.moduleRef.create(guard);
      } catch (error) {
        const reason = describeError(error);
        throw new ApiConfigError([{ field: 'api.guard', message: hostGuardUnresolvable(guard.name, reason) }]);
      }
    }
  }
}

/** The guard on every health and management route; delegates to the module's ApiAuthGate. */
@Injectable()
export class AdaptivePollingApiGuard implements CanActivate {
  constructor(private readonly gate: ApiAuthGate) {}

  canActivate(context: ExecutionContext): Promise<boolean> {
    return this.gate.authorize(context);
  }
}
