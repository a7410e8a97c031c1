import { Controller, Get, Res, type OnModuleInit, type Type } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { PrometheusController } from '@willsoto/nestjs-prometheus';
import { NO_POLLING_METRICS } from './metrics-messages';
import { PollingMetricsService } from './polling-metrics.service';

/** The part of the platform's response the controller uses (Express and Fastify both have it). */
interface HeaderResponse {
  header(name: string, value: string): unknown;
  status(code: number): unknown;
}

/**
 * A fresh controller class for each registration: @willsoto/nestjs-prometheus
 * writes the route path onto the controller class, so two apps in one
 * process with different paths must not share one.
 *
 * It serves the default registry (process metrics, the host's own) merged
 * with the polling registry of the app it runs in.
 */
export function createPollingMetricsController(): Type<PrometheusController> {
  @Controller()
  class PollingMetricsController extends PrometheusController implements OnModuleInit {
    private metrics: PollingMetricsService | null = null;

    constructor(private readonly moduleRef: ModuleRef) {
      super();
    }

    onModuleInit(): void {
      try {
        this.metrics = this.moduleRef.get(PollingMetricsService, { strict: false });
      } catch {
        throw new Error(NO_POLLING_METRICS);
      }
    }

    @Get()
    override async index(@Res({ passthrough: true }) response: HeaderResponse): Promise<string> {
      if (!this.metrics) throw new Error(NO_POLLING_METRICS);
      const scrape = await this.metrics.scrape();
      response.status(scrape.status);
      response.header('Content-Type', scrape.contentType);
      return scrape.body;
    }
  }
  return PollingMetricsController;
}
