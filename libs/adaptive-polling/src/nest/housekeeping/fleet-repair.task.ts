import { Injectable, type OnModuleInit } from '@nestjs/common';
import { PollingEngineHost } from '../polling-engine.host';
import { HousekeepingService } from './housekeeping.service';

/**
 * Heals drift of the fleet aggregates (engine/fleet-aggregates.ts), e.g. a
 * process that died between a poll's commit and its aggregate write: one
 * full read of every target, on one replica at a time, at a low rate.
 * Skipped while Redis has lost the registry (the engine rebuilds then).
 */
@Injectable()
export class FleetRepairTask implements OnModuleInit {
  static readonly taskName = 'fleet-aggregates';

  constructor(
    private readonly host: PollingEngineHost,
    private readonly housekeeping: HousekeepingService,
  ) {}

  onModuleInit(): void {
    this.housekeeping.register({
      name: FleetRepairTask.taskName,
      intervalMs: this.housekeeping.options.fleetRepairIntervalMs,
      run: () => this.run(),
    });
  }

  async run(): Promise<Record<string, number>> {
    const { engine } = this.host;
    if ((await engine.redis.exists(engine.keys.targetsVersion)) === 0) return { membersRemoved: 0 };
    return { membersRemoved: await engine.repairFleetAggregates() };
  }
}
