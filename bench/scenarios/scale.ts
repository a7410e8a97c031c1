import 'reflect-metadata';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Injectable, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Cluster, Redis } from 'ioredis';
import { AdaptivePollingModule } from '../../libs/adaptive-polling/src/nest/adaptive-polling.module';
import { AdaptivePollingPrometheusModule } from '../../libs/adaptive-polling/src/nest/metrics/adaptive-polling-prometheus.module';
import { Poller } from '../../libs/adaptive-polling/src/nest/poller.decorator';
import { PollingEngineHost } from '../../libs/adaptive-polling/src/nest/polling-engine.host';
import { TargetRegistryService } from '../../libs/adaptive-polling/src/nest/target-registry.service';
import type { TargetInput } from '../../libs/adaptive-polling/src/core/target';
import type { PollContext } from '../../libs/adaptive-polling/src/engine/poll-handler';
import { ADAPTIVE_POLLING_API_CONFIG, type ResolvedApiConfig } from '../../libs/adaptive-polling/src/nest/api/api-config';
import { targetStateFromJobData } from '../../libs/adaptive-polling/src/engine/job-state-codec';
import { commandCalls, diffCalls, infoField, totalCalls, type CommandCalls } from '../lib/redis-info';
import { LatenessRecorder } from '../lib/lateness-recorder';
import { distribution, log, round, sleep, type Distribution } from '../lib/stats';

export interface ScaleConfig {
  redisUrl: string;
  queueName: string;
  /** Targets given as static targets at boot. */
  staticTargets: number;
  /** Further targets added at run time through TargetRegistryService (sequentially). */
  registryTargets: number;
  /** Fixed polling interval of every target (they poll during the measurement). */
  intervalMs: number;
  healthRequests: number;
  /** `GET /metrics` requests measured (after a few warm-up ones). */
  metricsRequests: number;
  /** How long the app runs (polling) after registration before anything is measured. */
  settleMs: number;
  /** Then the window in which lateness and Redis commands are measured, no requests running. */
  latenessWindowMs: number;
  /**
   * The Redis nodes whose commands are counted over the lateness window
   * (default: the one at redisUrl). A cluster run passes each node here.
   */
  redisNodeUrls?: string[];
  /**
   * Run on a Redis Cluster instead of redisUrl: the app connects through an
   * ioredis Cluster built here from these seed nodes, with `shards` queues.
   * redisNodeUrls then lists the masters (memory and commands are summed over them).
   */
  cluster?: { startupNodes: Array<{ host: string; port: number }>; shards: number };
}

/** Commands one Redis node ran over the lateness window, and its share of all nodes' commands. */
export interface NodeCommands {
  node: string;
  commands: number;
  share: number | null;
  /** Its most called commands over the window (calls), the most first: where a node's extra share comes from. */
  topCommands: Record<string, number>;
}

export interface ScaleResult {
  targets: number;
  intervalMs: number;
  bootWithStaticTargetsMs: number;
  staticTargets: number;
  registryAdds: number;
  registryAddTotalMs: number;
  registryAddMsPerTarget: number | null;
  /** RSS with every target registered and polling, before the health requests. */
  rssMb: number;
  heapUsedMb: number;
  /** The rest of process.memoryUsage() at the same moment. */
  heapTotalMb: number;
  externalMb: number;
  arrayBuffersMb: number;
  /** RSS after the health requests (the full document is ~8 MB for 10k targets). */
  rssAfterHealthMb: number;
  rssBeforeBootMb: number;
  redisUsedMemoryDeltaBytes: number;
  redisBytesPerTarget: number;
  /** MEMORY USAGE of one job hash before and after its first poll (state written). */
  jobHashBytesUnpolled: number | null;
  jobHashBytesPolled: number | null;
  /** Share of the targets that had polled when Redis memory was read. */
  polledShareAtMemoryRead: number;
  /** Bytes per target once every target has polled at least once (estimate: the growth of a job hash added for the share not yet polled). */
  redisBytesPerTargetSteady: number;
  polledDuringRun: number;
  healthStatus: number | null;
  /** Answers other than 200 among the measured default health requests (counted in healthMs). */
  healthFailed: number;
  /** Body of the default request (first page of 500 instances, all fleet-wide sections). */
  healthBodyBytes: number | null;
  /** The warm-up requests before `healthMs` (default request, uncached), in order. */
  healthWarmupMs: number[];
  /** Default request; every request reads the fleet (healthCacheMs: 0). */
  healthMs: Distribution | null;
  /** Default request with the default 1 s cache; requests back to back. */
  healthCachedMs: Distribution | null;
  /** The whole document (`?limit=100000`), every request reads the fleet (healthCacheMs: 0). */
  healthFullMs: Distribution | null;
  healthFullBodyBytes: number | null;
  /** Same read as the route's, without HTTP: engine.snapshots() of all targets. */
  snapshotsMs: Distribution;
  metricsStatus: number | null;
  /** Answers other than 200 among the measured scrapes (counted in metricsMs). */
  metricsFailed: number;
  metricsBodyBytes: number | null;
  /** Series (sample lines) in one scrape. */
  metricsSeries: number | null;
  metricsWarmupMs: number[];
  /** `GET /metrics` (per-target labels off), sequential requests. */
  metricsMs: Distribution | null;
  /** Start of each poll minus its due time over the lateness window (no requests running), Redis `hz 10`. */
  latenessMs: Distribution;
  /** The same over a second window with Redis at `hz 100`. */
  latenessRedisHz100Ms: Distribution;
  /** The same while the health and metrics requests ran (the one process serves both). */
  latenessDuringRequestsMs: Distribution;
  /** This process's event-loop delay over the lateness window (perf_hooks, 20 ms resolution), ms. */
  eventLoopDelayMs: { p50: number | null; p99: number | null; max: number | null };
  /** Redis commands over the lateness window, all nodes, per poll started in it. */
  redisCommandsPerPoll: number | null;
  redisCommandsByNode: NodeCommands[];
}

const TOKEN = 'bench-token-0123456789';
/** Uncached health requests made (and reported) before the measured ones. */
const HEALTH_WARMUP_REQUESTS = 5;
const METRICS_WARMUP_REQUESTS = 3;

/** Sample lines of a Prometheus text scrape (every line that is neither blank nor a comment). */
export function countSeries(scrape: string): number {
  let n = 0;
  for (const line of scrape.split('\n')) if (line !== '' && !line.startsWith('#')) n++;
  return n;
}

async function nodeCommands(nodes: readonly Redis[]): Promise<CommandCalls[]> {
  return Promise.all(nodes.map((node) => commandCalls(node)));
}

function topCalls(calls: CommandCalls, n = 10): Record<string, number> {
  return Object.fromEntries(
    Object.entries(calls)
      .sort((a, b) => b[1] - a[1])
      .slice(0, n),
  );
}

function roundAll(times: readonly number[]): number[] {
  return times.map((t) => Math.round(t));
}

@Injectable()
class NoopPollers {
  polls = 0;
  readonly polled = new Set<string>();
  @Poller({ type: 'bench' })
  poll(context: PollContext): null {
    this.polls++;
    this.polled.add(context.target.key);
    return null;
  }
}

function targetInputs(from: number, count: number, intervalMs: number): TargetInput[] {
  const out: TargetInput[] = [];
  for (let i = from; i < from + count; i++) {
    out.push({
      name: `node-${String(i).padStart(5, '0')}`,
      type: 'bench',
      displayName: `Bench node ${i}`,
      connection: { host: `10.0.${Math.floor(i / 250)}.${i % 250}`, port: 8006, tokenId: 'bench@pve!ro', tokenSecret: 'x'.repeat(36) },
      fixedIntervalMs: intervalMs,
    });
  }
  return out;
}

async function jobHashBytes(redis: Redis, queueName: string, polled: boolean): Promise<number | null> {
  // sample up to 50 job hashes whose data has (or has not) a lastPollAtMs
  let cursor = '0';
  const sizes: number[] = [];
  do {
    // `bull:<name>:` on one Redis, `bull:{<name>}:` and `bull:{<name>-<i>}:` (shards) on a cluster
    const [next, keys] = await redis.scan(cursor, 'MATCH', `bull:*${queueName}*:target-*`, 'COUNT', 500);
    cursor = next;
    for (const key of keys) {
      if (key.endsWith(':lock') || key.endsWith(':logs')) continue;
      const data = await redis.hget(key, 'data');
      if (!data) continue;
      const isPolled = targetStateFromJobData(JSON.parse(data))?.lastPollAtMs != null;
      if (isPolled !== polled) continue;
      const bytes = (await redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0')) as number | null;
      if (bytes) sizes.push(bytes);
      if (sizes.length >= 50) break;
    }
  } while (cursor !== '0' && sizes.length < 50);
  return sizes.length ? Math.round(sizes.reduce((s, v) => s + v, 0) / sizes.length) : null;
}

/** used_memory summed over the nodes (on a cluster: the masters; replicas hold copies). */
async function usedMemory(nodes: readonly Redis[]): Promise<number> {
  const each = await Promise.all(nodes.map((node) => infoField(node, 'memory', 'used_memory')));
  return each.reduce((s, v) => s + v, 0);
}

/** Mean MEMORY USAGE of up to 50 job hashes over the nodes (null if none). */
async function jobHashBytesOver(nodes: readonly Redis[], queueName: string, polled: boolean): Promise<number | null> {
  const each = await Promise.all(nodes.map((node) => jobHashBytes(node, queueName, polled)));
  const found = each.filter((v): v is number => v !== null);
  return found.length ? Math.round(found.reduce((s, v) => s + v, 0) / found.length) : null;
}

export async function scale(config: ScaleConfig): Promise<ScaleResult> {
  // The app's connection: the URL, or on a cluster an ioredis Cluster of the seed nodes.
  const appRedis = config.cluster
    ? new Cluster(config.cluster.startupNodes, { redisOptions: { maxRetriesPerRequest: null, connectionName: 'bench:scale-app' } })
    : config.redisUrl;
  const total = config.staticTargets + config.registryTargets;

  @Module({
    imports: [
      AdaptivePollingModule.forRoot({
        redis: appRedis,
        queueName: config.queueName,
        ...(config.cluster ? { shards: config.cluster.shards } : {}),
        env: false,
        api: { token: TOKEN, healthCacheMs: 0 },
        // the figure: /metrics with per-target labels off
        metrics: { perTargetLabels: false },
        polling: { policy: 'fixed', minInterval: '1s', baseInterval: config.intervalMs, maxInterval: '5m' },
        targets: targetInputs(0, config.staticTargets, config.intervalMs),
      }),
      // `GET /metrics` on the app's server, as a host app serves it
      AdaptivePollingPrometheusModule.forRoot(),
    ],
    providers: [NoopPollers],
  })
  class ScaleAppModule {}

  const nodeUrls = config.redisNodeUrls ?? [config.redisUrl];
  const nodes = nodeUrls.map((url) => new Redis(url, { connectionName: 'bench:scale-commands' }));
  let app: INestApplication | null = null;
  try {
    await Promise.all(nodes.map((node) => node.flushall()));
    await sleep(200);
    global.gc?.();
    const rssBeforeBootMb = process.memoryUsage().rss / 2 ** 20;
    const mem0 = await usedMemory(nodes);

    const t0 = performance.now();
    app = await NestFactory.create(ScaleAppModule, { logger: ['error', 'warn'] });
    await app.listen(0, '127.0.0.1');
    const bootWithStaticTargetsMs = performance.now() - t0;
    log(`scale: booted with ${config.staticTargets} static targets in ${Math.round(bootWithStaticTargetsMs)} ms`);

    const registry = app.get(TargetRegistryService);
    const t1 = performance.now();
    for (const input of targetInputs(config.staticTargets, config.registryTargets, config.intervalMs)) await registry.add(input);
    const registryAddTotalMs = performance.now() - t1;
    log(`scale: added ${config.registryTargets} targets through the registry in ${Math.round(registryAddTotalMs)} ms`);

    const engine = app.get(PollingEngineHost).engine;
    const lateness = new LatenessRecorder(engine.events);
    await sleep(config.settleMs);
    const commands0 = await nodeCommands(nodes);
    const loopDelay = monitorEventLoopDelay({ resolution: 20 });
    loopDelay.enable();
    lateness.start();
    await sleep(config.latenessWindowMs);
    const idleLateness = lateness.stop();
    loopDelay.disable();
    const commands1 = await nodeCommands(nodes);
    const callsByNode = commands1.map((after, i) => diffCalls(commands0[i], after));
    const commandsByNode = Object.fromEntries(nodeUrls.map((u, i) => [u, totalCalls(callsByNode[i])]));
    log(`scale: ${idleLateness.length} polls in the ${config.latenessWindowMs} ms lateness window`);
    // The same window again at Redis `hz 100` (as the lateness scenario does): at `hz 10` a worker
    // blocked waiting for the next due job can wake up to a 100 ms tick late.
    await Promise.all(nodes.map((node) => node.config('SET', 'hz', '100')));
    lateness.start();
    await sleep(config.latenessWindowMs);
    const hz100Lateness = lateness.stop();
    await Promise.all(nodes.map((node) => node.config('SET', 'hz', '10')));
    global.gc?.();
    const settled = process.memoryUsage();
    const mem1 = await usedMemory(nodes);
    const polledShare = app.get(NoopPollers).polled.size / total;
    const url = `${await app.getUrl()}/api/monitoring/scheduler/health`.replace('[::1]', '127.0.0.1');

    lateness.start();
    const snapshotTimes: number[] = [];
    for (let i = 0; i < 10; i++) {
      const s = performance.now();
      await engine.snapshots();
      snapshotTimes.push(performance.now() - s);
    }

    // Last status, body size and body (of a 200) per URL; answers other than 200 are
    // logged and counted, and timed like the rest (a slow 503 is part of the cost).
    const status = new Map<string, number>();
    const bodyBytes = new Map<string, number>();
    const bodies = new Map<string, string>();
    const failed = new Map<string, number>();
    const timeGet = async (target: string, requests: number): Promise<number[]> => {
      const times: number[] = [];
      failed.set(target, 0);
      for (let i = 0; i < requests; i++) {
        const s = performance.now();
        const res = await fetch(target, { headers: { authorization: `Bearer ${TOKEN}` } });
        const body = await res.text();
        times.push(performance.now() - s);
        if (res.status === 200 || !status.has(target)) {
          status.set(target, res.status);
          bodyBytes.set(target, Buffer.byteLength(body));
          bodies.set(target, body);
        }
        if (res.status !== 200) {
          failed.set(target, (failed.get(target) ?? 0) + 1);
          log(`scale: ${target} returned ${res.status}: ${body.slice(0, 200)}`);
        }
      }
      return times;
    };
    const timeHealth = async (target: string, requests: number): Promise<number[]> => {
      const times = await timeGet(target, requests);
      bodies.delete(target);
      return times;
    };
    // Warm-up, as the other scenarios have: the first requests after start
    // compile the route's code and fill the decoded-state cache. Reported, not counted.
    const warmupTimes = await timeHealth(url, HEALTH_WARMUP_REQUESTS);
    // The default request (first page of instances), then the whole document, both uncached.
    const healthTimes = await timeHealth(url, config.healthRequests);
    const healthFailed = failed.get(url) ?? 0;
    const healthStatus = status.get(url) ?? null;
    log(
      `scale: uncached health requests, ms in order: warm-up ${roundAll(warmupTimes).join(',')}; measured ${roundAll(healthTimes).join(',')}`,
    );
    const metricsUrl = `${await app.getUrl()}/metrics`.replace('[::1]', '127.0.0.1');
    const metricsWarmupTimes = await timeGet(metricsUrl, METRICS_WARMUP_REQUESTS);
    const metricsTimes = await timeGet(metricsUrl, config.metricsRequests);
    const scrape = bodies.get(metricsUrl);
    bodies.clear();
    log(
      `scale: /metrics requests, ms in order: warm-up ${roundAll(metricsWarmupTimes).join(',')}; measured ${roundAll(metricsTimes).join(',')}`,
    );
    const fullUrl = `${url}?limit=100000`;
    const fullTimes = healthStatus === 200 ? await timeHealth(fullUrl, Math.max(1, Math.ceil(config.healthRequests / 2))) : [];
    // then the module's default cache (1 s), on the same app
    const apiConfig = app.get<ResolvedApiConfig>(ADAPTIVE_POLLING_API_CONFIG);
    (apiConfig as { healthCacheMs: number }).healthCacheMs = 1_000;
    const cachedTimes = healthStatus === 200 ? await timeHealth(url, config.healthRequests) : [];
    const requestLateness = lateness.stop();
    const memory = process.memoryUsage();
    const unpolled = await jobHashBytesOver(nodes, config.queueName, false);
    const polled = await jobHashBytesOver(nodes, config.queueName, true);
    const deltaBytes = mem1 - mem0;
    const perTarget = deltaBytes / total;
    const steady = perTarget + (polled !== null && unpolled !== null ? Math.max(0, polled - unpolled) * (1 - polledShare) : 0);
    return {
      targets: total,
      intervalMs: config.intervalMs,
      bootWithStaticTargetsMs: Math.round(bootWithStaticTargetsMs),
      staticTargets: config.staticTargets,
      registryAdds: config.registryTargets,
      registryAddTotalMs: Math.round(registryAddTotalMs),
      registryAddMsPerTarget: config.registryTargets ? round(registryAddTotalMs / config.registryTargets, 3) : null,
      rssMb: round(settled.rss / 2 ** 20, 1) as number,
      heapUsedMb: round(settled.heapUsed / 2 ** 20, 1) as number,
      heapTotalMb: round(settled.heapTotal / 2 ** 20, 1) as number,
      externalMb: round(settled.external / 2 ** 20, 1) as number,
      arrayBuffersMb: round(settled.arrayBuffers / 2 ** 20, 1) as number,
      rssAfterHealthMb: round(memory.rss / 2 ** 20, 1) as number,
      rssBeforeBootMb: round(rssBeforeBootMb, 1) as number,
      redisUsedMemoryDeltaBytes: deltaBytes,
      redisBytesPerTarget: Math.round(perTarget),
      jobHashBytesUnpolled: unpolled,
      jobHashBytesPolled: polled,
      polledShareAtMemoryRead: round(polledShare, 3) as number,
      redisBytesPerTargetSteady: Math.round(steady),
      polledDuringRun: app.get(NoopPollers).polls,
      healthStatus,
      healthFailed,
      healthBodyBytes: bodyBytes.get(url) ?? null,
      healthWarmupMs: roundAll(warmupTimes),
      healthMs: healthTimes.length ? distribution(healthTimes) : null,
      healthCachedMs: cachedTimes.length ? distribution(cachedTimes) : null,
      healthFullMs: fullTimes.length ? distribution(fullTimes) : null,
      healthFullBodyBytes: bodyBytes.get(fullUrl) ?? null,
      snapshotsMs: distribution(snapshotTimes),
      metricsStatus: status.get(metricsUrl) ?? null,
      metricsFailed: failed.get(metricsUrl) ?? 0,
      metricsBodyBytes: bodyBytes.get(metricsUrl) ?? null,
      metricsSeries: scrape !== undefined && status.get(metricsUrl) === 200 ? countSeries(scrape) : null,
      metricsWarmupMs: roundAll(metricsWarmupTimes),
      metricsMs: metricsTimes.length ? distribution(metricsTimes) : null,
      latenessMs: distribution(idleLateness),
      latenessRedisHz100Ms: distribution(hz100Lateness),
      latenessDuringRequestsMs: distribution(requestLateness),
      eventLoopDelayMs: {
        p50: round(loopDelay.percentile(50) / 1e6, 1),
        p99: round(loopDelay.percentile(99) / 1e6, 1),
        max: round(loopDelay.max / 1e6, 1),
      },
      redisCommandsPerPoll: idleLateness.length ? round(totalCalls(commandsByNode) / idleLateness.length, 2) : null,
      redisCommandsByNode: nodeUrls.map((node, i) => ({
        node,
        commands: commandsByNode[node] ?? 0,
        share: totalCalls(commandsByNode) ? round((commandsByNode[node] ?? 0) / totalCalls(commandsByNode), 3) : null,
        topCommands: topCalls(callsByNode[i]),
      })),
    };
  } finally {
    if (app) await app.close();
    if (typeof appRedis !== 'string') appRedis.disconnect();
    for (const node of nodes) node.disconnect();
  }
}
