import { Injectable, Logger } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { applyChangeSignal, type ChangeSignalFn } from '../core/change-signal';
import type { PollHandler } from '../engine/poll-handler';
import { POLLER_METADATA, type PollerOptions } from './poller.decorator';
import { PollingStartupError } from './polling-startup.error';

interface FoundPoller {
  type: string;
  where: string;
  handler: PollHandler;
}

/**
 * Finds `@Poller` methods on providers at bootstrap (DiscoveryService +
 * MetadataScanner, as @nestjs/schedule does for @Cron). Two pollers for one
 * type fail start-up naming both; request-scoped providers are skipped with a
 * warning, since a poll runs outside any request.
 */
@Injectable()
export class PollerExplorer {
  private readonly logger = new Logger('AdaptivePolling');

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  discover(): Map<string, PollHandler> {
    const found: FoundPoller[] = [];
    for (const wrapper of this.discovery.getProviders()) {
      const { instance, metatype } = wrapper as { instance: unknown; metatype: { prototype?: unknown } | null };
      const prototype = (instance ? Object.getPrototypeOf(instance) : metatype?.prototype) as object | undefined;
      if (!prototype || typeof prototype !== 'object') continue;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const fn = (prototype as Record<string, unknown>)[method];
        if (typeof fn !== 'function') continue;
        const options = this.reflector.get<PollerOptions | undefined>(POLLER_METADATA, fn as () => unknown);
        if (!options) continue;
        const where = `${String(wrapper.name)}.${method}`;
        if (!wrapper.isDependencyTreeStatic() || !instance) {
          this.logger.warn(`@Poller ${where} is on a request-scoped provider and is skipped: polls run outside requests`);
          continue;
        }
        const bound = (fn as (...args: unknown[]) => unknown).bind(instance) as PollHandler;
        found.push({ type: options.type, where, handler: withSignal(bound, options.changeSignal) });
      }
    }
    const byType = new Map<string, FoundPoller>();
    const problems: string[] = [];
    for (const poller of found) {
      const existing = byType.get(poller.type);
      if (existing) problems.push(`two pollers for type "${poller.type}": ${existing.where} and ${poller.where}`);
      else byType.set(poller.type, poller);
    }
    if (problems.length > 0) throw new PollingStartupError(problems);
    return new Map([...byType].map(([type, p]) => [type, p.handler]));
  }
}

/** The handler, with the decorator's `changeSignal` applied to what it returns. */
export function withSignal(handler: PollHandler, changeSignal: ChangeSignalFn | undefined): PollHandler {
  if (changeSignal === undefined) return handler;
  return async (context) => applyChangeSignal(await handler(context), changeSignal);
}
