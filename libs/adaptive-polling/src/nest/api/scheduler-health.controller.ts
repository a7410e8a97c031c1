import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { MonitoringApi } from './api-docs.decorators';
import { SchedulerHealthDto } from './scheduler-health.dto';
import { SchedulerHealthService } from './scheduler-health.service';

/** `GET /api/monitoring/scheduler/health`: the seed's scheduler health document. */
@MonitoringApi()
@Controller('api/monitoring/scheduler')
export class SchedulerHealthController {
  constructor(private readonly health: SchedulerHealthService) {}

  @Get('health')
  @Header('Cache-Control', 'no-store')
  @Header('Content-Type', 'application/json; charset=utf-8')
  @ApiOperation({
    summary: 'Scheduler health',
    description:
      'Queue depth and due-soon count, dead-letter entries, breakers, staleness and every instance ' +
      '(key type::name) with its poll status, breaker, dead-letter entry, warnings, current interval and ' +
      'next run. Absent times are null; arrays are sorted; connection secrets are never included. ' +
      'Reused for up to api.healthCacheMs (default 1 s).',
  })
  @ApiOkResponse({ type: SchedulerHealthDto })
  get(): Promise<string> {
    // Sent as the cached JSON text (a SchedulerHealth document).
    return this.health.healthJson();
  }
}
