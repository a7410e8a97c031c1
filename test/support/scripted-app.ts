import { Inject, Injectable, Module, type INestApplication, type ModuleMetadata } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ADAPTIVE_POLLING_OPTIONS_TYPE } from '../../libs/adaptive-polling/src/nest/adaptive-polling.module-definition';
import { AdaptivePollingModule, Poller, type AdaptivePollingModuleOptions, type PollContext } from 'nestjs-adaptive-polling';
import { PollingEngineHost } from '../../libs/adaptive-polling/src/nest/polling-engine.host';
import { AdaptivePollingPersistenceModule, type AdaptivePollingPersistenceOptions } from 'nestjs-adaptive-polling/persistence';
import { AdaptivePollingPrometheusModule } from 'nestjs-adaptive-polling/prometheus';
import type { PollingEngine } from '../../libs/adaptive-polling/src/engine/polling-engine';

/** A test decides per target what each poll does. */
export type ScriptedBehaviour = (context: PollContext, pollNumber: number) => unknown;

/** Shared by every app a test starts, so it can watch all replicas at once. */
export class PollRecorder {
  readonly polls = new Map<string, number>();
  readonly inFlight = new Map<string, number>();
  readonly maxConcurrent = new Map<string, number>();
  readonly behaviours = new Map<string, ScriptedBehaviour>();
  defaultBehaviour: ScriptedBehaviour = (_ctx, n) => ({ n });

  count(key: string): number {
    return this.polls.get(key) ?? 0;
  }

  async run(context: PollContext): Promise<unknown> {
    const key = context.target.key;
    const n = this.count(key) + 1;
    this.polls.set(key, n);
    const now = (this.inFlight.get(key) ?? 0) + 1;
    this.inFlight.set(key, now);
    this.maxConcurrent.set(key, Math.max(now, this.maxConcurrent.get(key) ?? 0));
    try {
      const behaviour = this.behaviours.get(context.target.name) ?? this.defaultBehaviour;
      return await behaviour(context, n);
    } finally {
      this.inFlight.set(key, (this.inFlight.get(key) ?? 1) - 1);
    }
  }
}

const RECORDER = Symbol('RECORDER');

@Injectable()
class ScriptedPollers {
  constructor(@Inject(RECORDER) private readonly recorder: PollRecorder) {}

  @Poller({ type: 'scripted' })
  poll(context: PollContext): Promise<unknown> {
    return this.recorder.run(context);
  }
}

/**
 * Module options (with the module-definition extras), plus `persistence`:
 * options of AdaptivePollingPersistenceModule, imported beside it when set.
 */
export type ScriptedAppOptions = typeof ADAPTIVE_POLLING_OPTIONS_TYPE & { persistence?: AdaptivePollingPersistenceOptions };

export interface ScriptedApp {
  app: INestApplication;
  engine: PollingEngine;
  close(): Promise<void>;
}

/** What a test adds to the host app beside the module (a guard, Terminus, a controller). */
export type ScriptedHost = Pick<ModuleMetadata, 'imports' | 'providers' | 'controllers'>;

/**
 * Starts a Nest app with the module and one `scripted` poller driven by
 * `recorder`, and the polling metrics. The API is open (`api: { auth: false }`) unless `options.api` says otherwise.
 */
export async function startScriptedApp(recorder: PollRecorder, options: ScriptedAppOptions, host: ScriptedHost = {}): Promise<ScriptedApp> {
  const { persistence, ...moduleOptions } = options;
  @Module({
    imports: [
      AdaptivePollingModule.forRoot({ env: false, api: { auth: false }, ...moduleOptions }),
      // The polling metrics, without a route of their own (tests read the service).
      AdaptivePollingPrometheusModule.forRoot({ path: false, defaultMetrics: false }),
      ...(persistence ? [AdaptivePollingPersistenceModule.forRoot(persistence)] : []),
      ...(host.imports ?? []),
    ],
    providers: [ScriptedPollers, { provide: RECORDER, useValue: recorder }, ...(host.providers ?? [])],
    controllers: host.controllers ?? [],
  })
  class ScriptedAppModule {}

  const moduleRef = await Test.createTestingModule({ imports: [ScriptedAppModule] }).compile();
  const app = moduleRef.createNestApplication({ logger: ['error', 'warn'] });
  await app.init();
  const engine = app.get(PollingEngineHost).engine;
  return { app, engine, close: () => app.close() };
}

/** Fast settings for tests: short intervals, short backoff (max > 15 s keeps short mode off). */
export function fastPolling(overrides: AdaptivePollingModuleOptions['polling'] = {}): AdaptivePollingModuleOptions['polling'] {
  return {
    policy: 'fixed',
    minInterval: '50ms',
    baseInterval: '100ms',
    maxInterval: '20s',
    backoff: { initial: '50ms', max: '400ms' },
    ...overrides,
  };
}
