import { PollingEngine } from '../../libs/adaptive-polling/src/engine/polling-engine';
import type { PollHandler } from '../../libs/adaptive-polling/src/engine/poll-handler';
import { resolvePollingOptions, type PollingOptionsInput } from '../../libs/adaptive-polling/src/core/options';
import { createPolicyRegistry } from '../../libs/adaptive-polling/src/core/policies/registry';
import { normaliseTarget, type TargetDefinition } from '../../libs/adaptive-polling/src/core/target';

export const BENCH_TYPE = 'bench';

export interface BenchEngineInput {
  redisUrl: string;
  queueName: string;
  concurrency?: number;
  handler: PollHandler;
  polling: PollingOptionsInput;
}

/** The engine exactly as the Nest module builds it (see PollingEngineHost), minus Nest. */
export function createBenchEngine(input: BenchEngineInput): PollingEngine {
  const options = resolvePollingOptions({ code: input.polling, env: {}, knownTypes: [BENCH_TYPE] });
  return new PollingEngine({
    connection: input.redisUrl,
    queueName: input.queueName,
    prefix: 'bull',
    options,
    policies: createPolicyRegistry(),
    handlers: new Map([[BENCH_TYPE, input.handler]]),
    concurrency: input.concurrency,
    globalConcurrency: null,
    stalledIntervalMs: 4_000,
    shutdownGraceMs: 2_000,
    reconcileIntervalMs: 5_000,
    runWorker: true,
    clock: Date.now,
    random: Math.random,
    logger: { log: () => undefined, warn: (m) => process.stderr.write(`engine warn: ${m}\n`), error: (m) => process.stderr.write(`engine error: ${m}\n`) },
  });
}

export function benchTargets(count: number, fixedIntervalMs: number | null, prefix = 't'): TargetDefinition[] {
  const out: TargetDefinition[] = [];
  for (let i = 0; i < count; i++) out.push(normaliseTarget({ name: `${prefix}${i}`, type: BENCH_TYPE, fixedIntervalMs }));
  return out;
}
