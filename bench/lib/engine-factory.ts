import { PollingEngine } from '../../libs/adaptive-polling/src/engine/polling-engine';
import type { PollHandler } from '../../libs/adaptive-polling/src/engine/poll-handler';
import { resolvePollingOptions, type PollingOptionsInput } from '../../libs/adaptive-polling/src/core/options';
import { createPolicyRegistry } from '../../libs/adaptive-polling/src/core/policies/registry';
import { normaliseTarget, type TargetDefinition } from '../../libs/adaptive-polling/src/core/target';
import { AuditTrailService } from '../../libs/adaptive-polling/src/nest/audit/audit-trail.service';
import { PollingMetricsService } from '../../libs/adaptive-polling/src/nest/metrics/polling-metrics.service';
import { resolveMetricsOptions } from '../../libs/adaptive-polling/src/nest/metrics/resolve-metrics-options';
import { ADAPTIVE_POLLING_METRICS_OPTIONS } from '../../libs/adaptive-polling/src/nest/metrics/metrics-options';
import { PollingEngineHost } from '../../libs/adaptive-polling/src/nest/polling-engine.host';
import { PollingModuleRefs } from '../../libs/adaptive-polling/src/nest/polling-module-refs';
import type { ModuleRef } from '@nestjs/core';
import type { ChangeSignalFn } from '../../libs/adaptive-polling/src/core/change-signal';
import { withSignal } from '../../libs/adaptive-polling/src/nest/poller.explorer';

export const BENCH_TYPE = 'bench';

export interface BenchEngineInput {
  redisUrl: string;
  queueName: string;
  concurrency?: number;
  handler: PollHandler;
  /** The poller's `changeSignal`, applied to each result as the Nest module does. */
  changeSignal?: ChangeSignalFn;
  polling: PollingOptionsInput;
}

/**
 * The engine exactly as the Nest module builds it (see PollingEngineHost),
 * minus Nest, with the engine-event listeners AdaptivePollingModule always
 * attaches (Prometheus metrics with their default per-target labels, and the
 * audit trail): they run on every poll, so the bench pays for them too.
 */
export function createBenchEngine(input: BenchEngineInput): PollingEngine {
  const options = resolvePollingOptions({ code: input.polling, env: {}, knownTypes: [BENCH_TYPE] });
  const engine = new PollingEngine({
    connection: input.redisUrl,
    queueName: input.queueName,
    prefix: 'bull',
    options,
    policies: createPolicyRegistry(),
    handlers: new Map([[BENCH_TYPE, withSignal(input.handler, input.changeSignal)]]),
    concurrency: input.concurrency,
    globalConcurrency: null,
    stalledIntervalMs: 4_000,
    shutdownGraceMs: 2_000,
    reconcileIntervalMs: 5_000,
    runWorker: true,
    clock: Date.now,
    random: Math.random,
    logger: {
      log: () => undefined,
      warn: (m) => process.stderr.write(`engine warn: ${m}\n`),
      error: (m) => process.stderr.write(`engine error: ${m}\n`),
    },
  });
  // Only what the listeners read of the host (scrapes are not part of the bench).
  const host = { engine, config: { clock: Date.now, polling: options } } as unknown as PollingEngineHost;
  const found = new Map<unknown, unknown>([
    [PollingEngineHost, host],
    [ADAPTIVE_POLLING_METRICS_OPTIONS, resolveMetricsOptions(undefined)],
  ]);
  const moduleRef = { get: (token: unknown) => found.get(token) } as unknown as ModuleRef;
  new PollingMetricsService(new PollingModuleRefs(moduleRef)).onModuleInit();
  new AuditTrailService(host).onModuleInit();
  return engine;
}

export function benchTargets(count: number, fixedIntervalMs: number | null, prefix = 't'): TargetDefinition[] {
  const out: TargetDefinition[] = [];
  for (let i = 0; i < count; i++) out.push(normaliseTarget({ name: `${prefix}${i}`, type: BENCH_TYPE, fixedIntervalMs }));
  return out;
}
