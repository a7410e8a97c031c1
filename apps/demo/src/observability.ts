import { Module, type INestApplication } from '@nestjs/common';
import { AdaptivePollingBullBoardModule, DEFAULT_BULL_BOARD_ROUTE } from 'nestjs-adaptive-polling/bull-board';
import { AdaptivePollingPrometheusModule, DEFAULT_METRICS_PATH } from 'nestjs-adaptive-polling/prometheus';
import type { DemoEnvironment } from './demo-environment';

/**
 * Metrics endpoint and Bull Board for the demo:
 * - `/metrics`: process metrics and the polling metrics (Prometheus text);
 * - `/admin/queues`: the polling queue, read-only, behind the API token
 *   (HTTP Basic: any user name, the token as the password; the token is
 *   ADAPTIVE_POLLING_API_TOKEN or the one the demo generated for the run).
 */
@Module({
  imports: [
    AdaptivePollingPrometheusModule.forRoot({ path: DEFAULT_METRICS_PATH }),
    AdaptivePollingBullBoardModule.forRoot({ route: DEFAULT_BULL_BOARD_ROUTE }),
  ],
})
export class DemoObservabilityModule {}

/**
 * Called by main.ts before listen. Both surfaces are modules whose routes and
 * middleware are registered at init, so nothing needs mounting on the running
 * app today; this stays the one place for anything that will (main.ts prints
 * where they are).
 */
export function setupObservability(app: INestApplication, demo: DemoEnvironment): Promise<void> {
  void app;
  void demo;
  return Promise.resolve();
}
