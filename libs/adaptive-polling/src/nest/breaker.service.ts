import { Injectable } from '@nestjs/common';
import type { BreakerState } from '../core/types';
import { PollingEngineHost } from './polling-engine.host';

/** Circuit breaker state per target, and the operator's reset. */
@Injectable()
export class BreakerService {
  constructor(private readonly host: PollingEngineHost) {}

  async state(key: string): Promise<BreakerState | undefined> {
    const snap = await this.host.engine.snapshot(key);
    return snap?.state?.breaker;
  }

  /** Closes the breaker (new generation) and polls the target at once. */
  reset(key: string): Promise<void> {
    return this.host.engine.applyAction(key, 'reset_breaker');
  }
}
