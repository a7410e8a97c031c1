import { Injectable } from '@nestjs/common';
import type { TargetDefinition, TargetInput } from '../core/target';
import { PollingEngineHost } from './polling-engine.host';

/**
 * Targets at run time: add, update, remove, pause, resume, list, get.
 * Changes go to the registry in Redis, so every replica sees them.
 */
@Injectable()
export class TargetRegistryService {
  constructor(private readonly host: PollingEngineHost) {}

  add(target: TargetInput): Promise<TargetDefinition> {
    return this.host.engine.addTarget(target);
  }

  update(
    key: string,
    patch: Partial<Pick<TargetDefinition, 'displayName' | 'connection' | 'metadata' | 'fixedIntervalMs'>>,
  ): Promise<TargetDefinition> {
    return this.host.engine.updateTarget(key, patch);
  }

  remove(key: string): Promise<TargetDefinition> {
    return this.host.engine.removeTarget(key);
  }

  pause(key: string): Promise<TargetDefinition> {
    return this.host.engine.setPaused(key, true);
  }

  resume(key: string): Promise<TargetDefinition> {
    return this.host.engine.setPaused(key, false);
  }

  list(): Promise<TargetDefinition[]> {
    return this.host.engine.listTargets();
  }

  get(key: string): Promise<TargetDefinition | undefined> {
    return this.host.engine.getTarget(key);
  }
}
