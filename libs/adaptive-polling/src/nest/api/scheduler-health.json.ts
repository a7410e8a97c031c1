import type { FleetSectionsAndKeys, HealthPageRequest, SchedulerHealthFleet } from './scheduler-health.builder';
import { pageInstances, pageOf } from './scheduler-health.builder';
import type { InstanceHealth } from './scheduler-health.types';

/**
 * The JSON text of health documents cut from one fleet summary. The
 * fleet-wide sections (staleness alone is ~1.7 MB for 10,000 targets) are
 * serialised once, on first use; each page then serialises only its own
 * instances. The text equals `JSON.stringify(schedulerHealthPage(fleet, page))`.
 */
export class SchedulerHealthText<F extends FleetSectionsAndKeys = SchedulerHealthFleet> {
  private head: string | null = null;
  private tail: string | null = null;

  constructor(private readonly fleet: F) {}

  page(this: SchedulerHealthText<SchedulerHealthFleet>, page: HealthPageRequest): string {
    return this.pageWith(page, pageInstances(this.fleet, page));
  }

  /** The document of `page` whose `instances[]` entries are already built. */
  pageWith(page: HealthPageRequest, entries: InstanceHealth[]): string {
    if (this.head === null || this.tail === null) this.serialiseSections();
    const instances = JSON.stringify(entries);
    return `${this.head},"instances":${instances},"page":${JSON.stringify(pageOf(this.fleet, page))}${this.tail}`;
  }

  private serialiseSections(): void {
    const { replicas, replicasError, persistence, ...sections } = this.fleet.sections;
    // `{...,"staleness":[...]}` without its closing brace: instances and page follow.
    this.head = JSON.stringify(sections).slice(0, -1);
    const extras = JSON.stringify({ replicas, replicasError, persistence });
    this.tail = extras === '{}' ? '}' : `,${extras.slice(1)}`;
  }
}
