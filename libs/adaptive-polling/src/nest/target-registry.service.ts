import { Injectable } from '@nestjs/common';
import type { TargetDefinition, TargetInput } from '../core/target';
import { PollingEngineHost } from './polling-engine.host';

/**
 * Targets at run time: add, update, remove, pause, resume, list, get.
 * Changes go to the registry in Redis, so every replica sees them. Each
 * change is audited with `actor` (default `code`: the host app's own code).
 */
@Injectable()
export class TargetRegistryService {
  constructor(private readonly host: PollingEngineHost) {}

  add(target: TargetInput, actor?: string): Promise<TargetDefinition> {
    return this.host.engine.addTarget(target, actor);
  }

  update(
    key: string,
    patch: Partial<Pick<TargetDefinition, 'displayName' | 'connection' | 'metadata' | 'fixedIntervalMs'>>,
    actor?: string,
  ): Promise<TargetDefinition> {
    return this.host.engine.updateTarget(key, patch, actor);
  }

  remove(key: string, actor?: string): Promise<TargetDefinition> {
    return this.host.engine.removeTarget(key, actor);
  }

  pause(key: string, actor?: string): Promise<TargetDefinition> {
    return this.host.engine.setPaused(key, true, actor);
  }

  resume(key: string, actor?: string): Promise<TargetDefinition> {
    return this.host.engine.setPaused(key, false, actor);
  }

  list(): Promise<TargetDefinition[]> {
    return this.host.engine.listTargets();
  }

  get(key: string): Promise<TargetDefinition | undefined> {
    return this.host.engine.getTarget(key);
  }
}
