import { Injectable } from '@nestjs/common';
import { optionsForType } from '../core/options';
import { stalenessScore } from '../core/schedule-rules';
import { PollingEngineHost } from './polling-engine.host';

export interface StalenessInfo {
  key: string;
  /** min(age since last success / max interval, 1); 1 if never succeeded. */
  score: number;
  lastSuccessAtMs: number | null;
  lastChangeAtMs: number | null;
}

/** How fresh each target's data is. */
@Injectable()
export class StalenessService {
  constructor(private readonly host: PollingEngineHost) {}

  async staleness(key: string): Promise<StalenessInfo | undefined> {
    const snap = await this.host.engine.snapshot(key);
    if (!snap) return undefined;
    const maxMs = optionsForType(this.host.config.polling, snap.definition.type).intervals.maxMs;
    const last = snap.state?.lastSuccessAtMs ?? null;
    const score = stalenessScore(last, this.host.config.clock(), maxMs);
    return { key, score, lastSuccessAtMs: last, lastChangeAtMs: snap.state?.lastChangeAtMs ?? null };
  }
}
