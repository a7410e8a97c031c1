import { Controller, Get, Header, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from './openapi';
import { HealthPageQuery, MonitoringApi } from './api-docs.decorators';
import { HealthPagePipe } from './health-page.pipe';
import type { HealthPageRequest } from './scheduler-health.builder';
import { SchedulerHealthDto } from './scheduler-health.dto';
import { SchedulerHealthService } from './scheduler-health.service';

/** `GET /api/monitoring/scheduler/health`: the seed's scheduler health document. */
@MonitoringApi()
@Controller('scheduler')
export class SchedulerHealthController {
  constructor(private readonly health: SchedulerHealthService) {}

  @Get('health')
  @Header('Cache-Control', 'no-store')
  @Header('Content-Type', 'application/json; charset=utf-8')
  @ApiOperation({
    summary: 'Scheduler health',
    description:
      'Queue depth and due-soon count, dead-letter entries, breakers (all over the whole fleet), the 100 stalest targets and ' +
      'one page of the instances sorted by key (type::name: poll status, breaker, dead-letter entry, warnings, ' +
      'current interval, next run); `page` says which (offset, limit, total). Absent times are null; arrays are ' +
      'sorted; connection secrets are never included. Reused for up to api.healthCacheMs (default 1 s).',
  })
  @HealthPageQuery()
  @ApiOkResponse({ type: SchedulerHealthDto })
  get(@Query(HealthPagePipe) page: HealthPageRequest): Promise<string> {
    // Sent as JSON text (a SchedulerHealth document): the default page's text is cached.
    return this.health.healthJson(page);
  }
}
