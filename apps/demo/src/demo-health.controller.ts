import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { AdaptivePollingHealthIndicator } from 'nestjs-adaptive-polling/terminus';

/**
 * `GET /health`: liveness/readiness for probes (no auth, no secrets: counts and
 * states only). 503 when Redis does not answer, the worker is not running, or
 * too many targets are dead-lettered.
 */
@ApiTags('health')
@Controller('health')
export class DemoHealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly polling: AdaptivePollingHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  @ApiOperation({ summary: 'Terminus health check: Redis, workers, dead-letter depth' })
  check(): Promise<HealthCheckResult> {
    return this.health.check([() => this.polling.isHealthy('adaptivePolling')]);
  }
}
