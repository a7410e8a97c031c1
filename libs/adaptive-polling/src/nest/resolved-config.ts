import { existsSync, readFileSync } from 'node:fs';
import { parseSystemJsonText, resolvePollingOptions } from '../core/options';
import { createPolicyRegistry, type PolicyRegistry } from '../core/policies/registry';
import { normaliseTarget, targetKey, validateTargetInput, type TargetDefinition, type TargetInput } from '../core/target';
import { REDIS_URL_KIND, collectProblems, configurationError, urlProblem } from '../core/config-checks';
import type { Clock, OptionProblem, RandomSource, ResolvedPollingOptions } from '../core/types';
import {
  DEFAULT_PREFIX,
  DEFAULT_QUEUE_NAME,
  DEFAULT_RECONCILE_INTERVAL_MS,
  DEFAULT_SHUTDOWN_GRACE_MS,
  DEFAULT_STALLED_INTERVAL_MS,
  type AdaptivePollingModuleOptions,
} from './adaptive-polling.options';
import { DEFAULT_API_BASE_PATH, apiRoutesOf, routesMismatch, type ApiRoutes } from './api/api-routes';
import { moduleEnvironment, resolveApiConfig } from './api/api-config';
import { resolveHousekeepingOptions } from './housekeeping/housekeeping-options';
import { resolveMetricsOptions } from './metrics/resolve-metrics-options';
import { resolveReplicaOptions } from './replicas/replica-options';
import { pollQueueName } from '../engine/poll-queue-options';
import { shardNamingProblem } from '../engine/shard-queues';
import { DEFAULT_SHARDS, MAX_SHARDS } from '../core/shards';
import { isClusterInput } from '../engine/redis-connection';

/** The module's options after defaults, system.json and env, all validated. */
export interface ResolvedModuleConfig {
  module: AdaptivePollingModuleOptions;
  polling: ResolvedPollingOptions;
  policies: PolicyRegistry;
  targets: TargetDefinition[];
  queueName: string;
  prefix: string;
  shards: number;
  stalledIntervalMs: number;
  shutdownGraceMs: number;
  reconcileIntervalMs: number;
  clock: Clock;
  random: RandomSource;
  /** Where the REST routes are mounted, or not served. */
  routes: ApiRoutes;
}

export const ADAPTIVE_POLLING_CONFIG = Symbol('ADAPTIVE_POLLING_CONFIG');

function checkPositiveInteger(value: unknown, field: string, problems: OptionProblem[]): void {
  if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < 1)) {
    problems.push({ field, message: 'must be a whole number >= 1' });
  }
}

/**
 * Resolves and validates everything at start-up, before any connection,
 * collecting every problem (polling options, env, system.json, targets, the
 * Redis URL, and the api, metrics, replicas and housekeeping sections) into
 * one error.
 */
export function resolveModuleConfig(
  options: AdaptivePollingModuleOptions,
  routes: ApiRoutes = { served: true, basePath: DEFAULT_API_BASE_PATH },
): ResolvedModuleConfig {
  const problems: OptionProblem[] = [];
  const mismatch = routesMismatch(routes, options.api);
  if (mismatch) problems.push(mismatch);
  const env = moduleEnvironment(options);

  let systemJson: unknown;
  if (options.systemJsonPath && existsSync(options.systemJsonPath)) {
    const parsed = parseSystemJsonText(readFileSync(options.systemJsonPath, 'utf8'), options.systemJsonPath);
    if (parsed.ok) systemJson = parsed.value;
    else problems.push(parsed.problem);
  }

  const policies = createPolicyRegistry(options.policies ?? []);
  const rawTargets: unknown[] = Array.isArray(options.targets) ? options.targets : [];
  if (options.targets !== undefined && !Array.isArray(options.targets)) {
    problems.push({ field: 'targets', message: 'must be an array' });
  }
  const targets: TargetDefinition[] = [];
  const seen = new Set<string>();
  rawTargets.forEach((input, i) => {
    const found = validateTargetInput(input, `targets[${i}]`);
    problems.push(...found);
    if (found.length > 0) return;
    const def = normaliseTarget(input as TargetInput);
    if (seen.has(targetKey(def))) {
      problems.push({ field: `targets[${i}]`, message: `duplicates target "${targetKey(def)}"` });
      return;
    }
    seen.add(targetKey(def));
    targets.push(def);
  });
  if (!options.redis) problems.push({ field: 'redis', message: 'is required (a URL, ioredis options or a client)' });
  else if (typeof options.redis === 'string') {
    const problem = urlProblem(options.redis, 'redis', REDIS_URL_KIND);
    if (problem) problems.push(problem);
  }
  for (const field of [
    'concurrency',
    'globalConcurrency',
    'stalledIntervalMs',
    'shutdownGraceMs',
    'reconcileIntervalMs',
    'shards',
  ] as const) {
    checkPositiveInteger(options[field], field, problems);
  }
  if (typeof options.shards === 'number' && options.shards > MAX_SHARDS) {
    problems.push({ field: 'shards', message: `must be at most ${MAX_SHARDS}` });
  }
  const naming = shardNamingProblem(
    typeof options.prefix === 'string' ? options.prefix : DEFAULT_PREFIX,
    typeof options.queueName === 'string' ? options.queueName : DEFAULT_QUEUE_NAME,
    typeof options.shards === 'number' ? options.shards : DEFAULT_SHARDS,
  );
  if (naming) problems.push({ field: 'shards', message: naming });
  for (const field of ['queueName', 'prefix'] as const) {
    const value = options[field];
    if (value !== undefined && (typeof value !== 'string' || value === '' || value.includes(':'))) {
      problems.push({ field, message: 'must be a non-empty string without ":"' });
    }
  }

  const polling: ResolvedPollingOptions | undefined = collectProblems(
    () =>
      resolvePollingOptions({
        code: options.polling,
        systemJson,
        env,
        knownTypes: [...new Set(targets.map((t) => t.type))],
        knownPolicies: policies.names(),
      }),
    problems,
  );
  // The other sections are resolved again by their own providers; checked here so one error lists them all.
  collectProblems(() => resolveApiConfig(options.api === false ? { auth: false } : options.api, env, routes), problems);
  collectProblems(() => resolveMetricsOptions(options.metrics), problems);
  collectProblems(() => resolveReplicaOptions(options.replicas), problems);
  collectProblems(() => resolveHousekeepingOptions(options.housekeeping), problems);

  if (problems.length > 0 || !polling) throw configurationError(problems);

  return {
    module: options,
    polling,
    policies,
    targets,
    // Hash-tagged on a Redis Cluster, so the module's own keys beside the queue's share its slot.
    queueName: pollQueueName(options.prefix ?? DEFAULT_PREFIX, options.queueName ?? DEFAULT_QUEUE_NAME, isClusterInput(options.redis)),
    prefix: options.prefix ?? DEFAULT_PREFIX,
    shards: options.shards ?? DEFAULT_SHARDS,
    stalledIntervalMs: options.stalledIntervalMs ?? DEFAULT_STALLED_INTERVAL_MS,
    shutdownGraceMs: options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS,
    reconcileIntervalMs: options.reconcileIntervalMs ?? DEFAULT_RECONCILE_INTERVAL_MS,
    clock: options.clock ?? Date.now,
    random: options.random ?? Math.random,
    routes,
  };
}

/**
 * Every problem of the module's options, found without connecting to
 * anything (empty when they are fine): for an app that checks all of its
 * configuration before it starts (see the demo).
 */
export function validateAdaptivePollingOptions(options: AdaptivePollingModuleOptions): OptionProblem[] {
  const problems: OptionProblem[] = [];
  const routes = collectProblems(() => apiRoutesOf(options.api), problems);
  if (routes) collectProblems(() => resolveModuleConfig(options, routes), problems);
  return problems;
}
