import { Inject, Injectable, Module, type DynamicModule, type INestApplication, type LoggerService } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { AdaptivePollingModule, Poller, type AdaptivePollingModuleOptions, type PollContext } from 'nestjs-adaptive-polling';
import { AdaptivePollingPrometheusModule, PollingMetricsService } from 'nestjs-adaptive-polling/prometheus';
import { PollingEngineHost } from '../../libs/adaptive-polling/src/nest/polling-engine.host';
import type { PollingEngine } from '../../libs/adaptive-polling/src/engine/polling-engine';
import type { PollRecorder } from './scripted-app';

const OBSERVED_RECORDER = Symbol('OBSERVED_RECORDER');

@Injectable()
class ObservedPollers {
  constructor(@Inject(OBSERVED_RECORDER) private readonly recorder: PollRecorder) {}

  @Poller({ type: 'scripted' })
  poll(context: PollContext): Promise<unknown> {
    return this.recorder.run(context);
  }
}

export interface ObservedApp {
  app: INestApplication;
  engine: PollingEngine;
  /** Null when the test's imports leave the Prometheus module out. */
  metrics: PollingMetricsService | null;
  /** http://127.0.0.1:<port> */
  url: string;
  close(): Promise<void>;
}

function optionalMetrics(app: INestApplication): PollingMetricsService | null {
  try {
    return app.get(PollingMetricsService, { strict: false });
  } catch {
    return null;
  }
}

/**
 * A listening Nest app with the polling module, `/metrics` (the library's
 * Prometheus module) and whatever else the test imports (e.g. Bull Board),
 * polling `scripted` targets through `recorder`.
 */
export async function startObservedApp(
  recorder: PollRecorder,
  options: AdaptivePollingModuleOptions,
  imports: DynamicModule[] = [AdaptivePollingPrometheusModule.forRoot()],
  logger: LoggerService | Array<'error' | 'warn' | 'log'> = ['error', 'warn'],
): Promise<ObservedApp> {
  @Module({
    imports: [AdaptivePollingModule.forRoot({ env: false, api: { auth: false }, ...options }), ...imports],
    providers: [ObservedPollers, { provide: OBSERVED_RECORDER, useValue: recorder }],
  })
  class ObservedAppModule {}

  const moduleRef = await Test.createTestingModule({ imports: [ObservedAppModule] }).compile();
  const app = moduleRef.createNestApplication({ logger });
  try {
    await app.listen(0, '127.0.0.1');
  } catch (error) {
    // A start-up failure still closes what the modules opened.
    await app.close().catch(() => undefined);
    throw error;
  }
  const { port } = app.getHttpServer().address() as { port: number };
  return {
    app,
    engine: app.get(PollingEngineHost).engine,
    metrics: optionalMetrics(app),
    url: `http://127.0.0.1:${port}`,
    close: () => app.close(),
  };
}
