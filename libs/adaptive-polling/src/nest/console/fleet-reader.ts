import type { SchedulerHealthFleet } from '../api/scheduler-health.builder';
import type { SchedulerHealthService } from '../api/scheduler-health.service';
import { fleetRow, rowSignature, summarize, type FleetRow, type FleetSummary } from './console-fleet';

/** The console's view of one health read: every row by key order, and the summary. */
export interface FleetRows {
  rows: FleetRow[];
  byKey: Map<string, FleetRow>;
  signatures: Map<string, string>;
  summary: FleetSummary;
}

/**
 * Rows of the fleet page, built once per read of the health service (which
 * reads Redis at most once per `api.healthCacheMs` and shares it with the
 * health route), so page requests and live updates only filter and cut.
 */
export class FleetReader {
  private readonly built = new WeakMap<SchedulerHealthFleet, FleetRows>();

  constructor(private readonly health: SchedulerHealthService) {}

  async read(): Promise<FleetRows> {
    const fleet = await this.health.fleet();
    let rows = this.built.get(fleet);
    if (!rows) {
      rows = build(fleet);
      this.built.set(fleet, rows);
    }
    return rows;
  }
}

function build(fleet: SchedulerHealthFleet): FleetRows {
  const rows: FleetRow[] = [];
  const byKey = new Map<string, FleetRow>();
  const signatures = new Map<string, string>();
  for (let i = 0; i < fleet.keys.length; i++) {
    const row = fleetRow(fleet.instanceAt(i));
    rows.push(row);
    byKey.set(row.key, row);
    signatures.set(row.key, rowSignature(row));
  }
  return { rows, byKey, signatures, summary: summarize(rows) };
}
