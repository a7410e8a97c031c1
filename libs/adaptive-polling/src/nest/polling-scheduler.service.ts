import { Injectable } from '@nestjs/common';
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
