import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { PollingSchedulerService, formatDuration } from 'nestjs-adaptive-polling';
import { AppModule } from './app.module';
import type { DemoApiToken } from './demo-api-token';
import { prepareDemoEnvironment } from './demo-environment';
import { CONSOLE_PATH } from './demo-paths';
import type { DemoSettings } from './demo-settings';
import { DOCS_PATH, setupSwagger } from './demo-swagger';
import { setupObservability } from './observability';

/** Starts what the checked settings need, then the Nest app, and says where everything is. */
export async function startDemoApp(settings: DemoSettings, apiToken: DemoApiToken): Promise<void> {
  const logger = new Logger('Demo');
  const demo = await prepareDemoEnvironment(settings, process.env);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.register(demo, apiToken));
  app.disable('x-powered-by');
  app.enableShutdownHooks();
  await setupObservability(app, demo);
  setupSwagger(app);
  await app.listen(demo.port);
  const url = await app.getUrl();

  const schedule = app.get(PollingSchedulerService).settings();
  const perType = new Map<string, number>();
  for (const t of demo.fleet) perType.set(t.type, (perType.get(t.type) ?? 0) + 1);
  const { intervals } = schedule;
  const lines = [
    `Adaptive polling demo is running at ${url}`,
    `  targets: ${demo.fleet.length} (${[...perType].map(([t, n]) => `${t} ${n}`).join(', ')}) from ${demo.fleetPath}`,
    `  policy: ${schedule.enabled ? schedule.policy : 'fixed (adaptive polling disabled)'}; ` +
      `intervals min ${formatDuration(intervals.minMs)}, base ${formatDuration(intervals.baseMs)}, max ${formatDuration(intervals.maxMs)}`,
    `  redis: ${demo.redisDescription}`,
    `  fleet simulator: ${demo.simulatorDescription} (GET ${demo.simulatorUrl}/stats)`,
  ];
  for (const line of lines) logger.log(line);
  for (const line of surfaceLines(url, apiToken.generated)) logger.log(line);
}

const HEALTH_API = '/api/monitoring/scheduler/health';
const METRICS_PATH = '/metrics';
const BULL_BOARD_PATH = '/admin/queues';

/** Where everything is, and (once, only when generated) the API token with a curl example. */
function surfaceLines(url: string, generatedToken: string | null): string[] {
  const base = url.replace('[::1]', 'localhost');
  const tokenLines = generatedToken
    ? [
        `  API token (generated for this run because ADAPTIVE_POLLING_API_TOKEN is unset; shown only now): ${generatedToken}`,
        `    curl -H "Authorization: Bearer ${generatedToken}" ${base}${HEALTH_API}`,
      ]
    : ['  API token: from ADAPTIVE_POLLING_API_TOKEN (not printed)'];
  return [
    ...tokenLines,
    `  health API: GET ${base}${HEALTH_API} (Authorization: Bearer <token>)`,
    `  management: POST ${base}/api/monitoring/breakers/:instance/reset, /dlq/retry, /dlq/:instance/retry, ` +
      `DELETE /dlq/:instance, POST /instances/:instance/pause|resume (:instance = URL-encoded type::name)`,
    `  API docs (Swagger UI): ${base}/${DOCS_PATH}`,
    `  liveness (Terminus): GET ${base}/health`,
    `  metrics (Prometheus): GET ${base}${METRICS_PATH}`,
    `  Bull Board: ${base}${BULL_BOARD_PATH} (any user name, the API token as the password)`,
    `  console: ${base}${CONSOLE_PATH}/ (sign in with the API token, or HTTP Basic: any user name, the token as the password)`,
  ];
}
