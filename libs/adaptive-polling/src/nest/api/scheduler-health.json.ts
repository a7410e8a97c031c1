import type { HealthPageRequest, SchedulerHealthFleet } from './scheduler-health.builder';
import { pageInstances, pageOf } from './scheduler-health.builder';

/**
 * The JSON text of health documents cut from one fleet summary. The
 * fleet-wide sections (staleness alone is ~1.7 MB for 10,000 targets) are
 * serialised once, on first use; each page then serialises only its own
 * instances. The text equals `JSON.stringify(schedulerHealthPage(fleet, page))`.
 */
export class SchedulerHealthText {
  private head: string | null = null;
  private tail: string | null = null;

  constructor(private readonly fleet: SchedulerHealthFleet) {}

  page(page: HealthPageRequest): string {
    if (this.head === null || this.tail === null) this.serialiseSections();
    const instances = JSON.stringify(pageInstances(this.fleet, page));
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
