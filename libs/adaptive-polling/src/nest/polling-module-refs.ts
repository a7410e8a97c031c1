import { Injectable, type Type } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { IntegrationWithoutPollingModuleError } from '../core/errors';
import { AuditTrailService } from './audit/audit-trail.service';
import { HousekeepingService } from './housekeeping/housekeeping.service';
import { PollingEngineHost } from './polling-engine.host';

/**
 * How an integration module (persistence, Prometheus) reaches the services
 * of the AdaptivePollingModule next to it in the app, which need not be
 * global: looked up in the app's container on first use (from onModuleInit
 * on, when every provider exists), then kept.
 */
@Injectable()
export class PollingModuleRefs {
  private readonly found = new Map<Type<unknown>, unknown>();

  constructor(private readonly moduleRef: ModuleRef) {}

  get host(): PollingEngineHost {
    return this.find(PollingEngineHost);
  }

  get audit(): AuditTrailService {
    return this.find(AuditTrailService);
  }

  get housekeeping(): HousekeepingService {
    return this.find(HousekeepingService);
  }

  /** Another provider of the app, or null when it is not there. */
  optional<T>(token: Type<T> | symbol): T | null {
    try {
      return this.moduleRef.get(token, { strict: false });
    } catch {
      return null;
    }
  }

  /** A provider of the polling module found by token; `what` names it in the error when it is missing. */
  required<T>(token: symbol, what: string): T {
    const value = this.optional<T>(token);
    if (value === null) throw new IntegrationWithoutPollingModuleError(what);
    return value;
  }

  private find<T>(token: Type<T>): T {
    const known = this.found.get(token) as T | undefined;
    if (known) return known;
    const value = this.optional(token);
    if (!value) throw new IntegrationWithoutPollingModuleError(token.name);
    this.found.set(token, value);
    return value;
  }
}
