import { Injectable } from '@nestjs/common';
import { optionsForType } from '../core/options';
import type { TypePollingOptions } from '../core/types';
import type { EngineEventMap } from '../engine/engine-events';
import { PollingEngineHost } from './polling-engine.host';

export interface ScheduleInfo {
  key: string;
  /** Next run (epoch ms), null before the first schedule. */
  nextRunAtMs: number | null;
  /** Interval chosen after the last poll (ms), null before the first poll. */
  currentIntervalMs: number | null;
  running: boolean;
  paused: boolean;
}

/** The schedule: next run, current interval, and "poll it now". */
@Injectable()
export class PollingSchedulerService {
  constructor(private readonly host: PollingEngineHost) {}

  /**
   * The polling options in effect (defaults < code < system.json < env), for
   * a target type when given (its per-type overrides applied).
   */
  settings(type?: string): TypePollingOptions {
    const { polling } = this.host.config;
    return type === undefined ? polling : optionsForType(polling, type);
  }

  /**
   * Listens to what this process's engine does (polls started and finished,
   * breaker and dead-letter transitions, operator actions, targets added and
   * removed). Listeners run after the state write; returns the unsubscribe.
   */
  on<K extends keyof EngineEventMap>(event: K, listener: (...args: EngineEventMap[K]) => void): () => void {
    const events = this.host.engine.events as unknown as {
      on(name: K, fn: typeof listener): void;
      off(name: K, fn: typeof listener): void;
    };
    events.on(event, listener);
    return () => events.off(event, listener);
  }

  async schedule(key: string): Promise<ScheduleInfo | undefined> {
    const snap = await this.host.engine.snapshot(key);
    if (!snap) return undefined;
    return {
      key,
      nextRunAtMs: snap.state?.nextRunAtMs ?? null,
      currentIntervalMs: snap.state?.intervalMs ?? null,
      running: snap.running,
      paused: snap.definition.paused,
    };
  }

  /** Runs the target's poll now; false when it is running, paused or not scheduled. */
  pollNow(key: string): Promise<boolean> {
    return this.host.engine.triggerNow(key);
  }
}
