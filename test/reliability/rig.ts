import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startFleetServer, type RunningFleetServer } from '@app/fleet-sim';
import { startCountingProxy, type CountingProxy } from '../support/counting-proxy';
import { buildDemo, simulatorEnv, startDemo, type DemoProcess } from '../support/demo-process';
import { RedisProcess } from '../support/redis-process';

export const RIG_TOKEN = 'reliability-token-0123456789';

/** One demo replica, and the targets it has in flight (seen by the rig's proxy). */
export interface Replica {
  demo: DemoProcess;
  inFlightTargets(): string[];
}

/**
 * Real processes for the reliability scenarios: a redis-server of our own
 * (restartable on its port), the HTTPS fleet simulator, and demo replicas
 * built from `dist/` (`node .../main.js`, as a user runs them).
 */
export class ReliabilityRig {
  readonly replicas: Replica[] = [];
  readonly queueName: string;
  readonly workDir = mkdtempSync(join(tmpdir(), 'ap-reliability-'));
  fleetPath = '';
  redis!: RedisProcess;
  client!: Redis;
  simulator!: RunningFleetServer;
  /** Every replica polls through it (see CountingProxy). */
  proxy!: CountingProxy;

  constructor(name: string) {
    this.queueName = `rel-${name}-${process.pid}`;
  }

  static async start(name: string, targets: unknown[]): Promise<ReliabilityRig> {
    buildDemo();
    const rig = new ReliabilityRig(name);
    rig.redis = await RedisProcess.start();
    rig.client = new Redis(rig.redis.url, { maxRetriesPerRequest: null });
    // Scenarios stop and restart the server on purpose: reconnect quietly.
    rig.client.on('error', () => undefined);
    rig.fleetPath = join(rig.workDir, 'fleet.json');
    writeFileSync(rig.fleetPath, JSON.stringify({ targets }));
    const { loadFleetFile } = await import('@app/fleet-sim');
    rig.simulator = await startFleetServer({ fleet: loadFleetFile(rig.fleetPath), port: 0 });
    rig.proxy = await startCountingProxy(rig.simulator.url, rig.simulator.tls);
    return rig;
  }

  async startReplica(env: Record<string, string> = {}): Promise<Replica> {
    const demo = await startDemo({
      PORT: '0',
      REDIS_URL: this.redis.url,
      ADAPTIVE_POLLING_API_TOKEN: RIG_TOKEN,
      DEMO_FLEET: this.fleetPath,
      ...simulatorEnv(this.proxy.url, this.simulator.tls),
      DEMO_QUEUE_NAME: this.queueName,
      // Replicas share one database, as they would in production; never the repo's ./data.
      DEMO_SQLITE_PATH: join(this.workDir, 'adaptive-polling.sqlite'),
      ...env,
    });
    const replica = { demo, inFlightTargets: () => this.proxy.inFlightTargets(demo.child.pid) };
    this.replicas.push(replica);
    return replica;
  }

  requests(name: string): number {
    return this.simulator.stats().targets[name]?.requests ?? 0;
  }

  totalRequests(): number {
    return Object.values(this.simulator.stats().targets).reduce((sum, t) => sum + t.requests, 0);
  }

  /** Job hashes of this queue's targets (lock and log keys excluded). */
  async jobKeys(): Promise<string[]> {
    const keys = await this.client.keys(`bull:${this.queueName}:target-*`);
    return keys.filter((k) => !/:(lock|logs)$/.test(k));
  }

  async stop(): Promise<void> {
    for (const { demo } of this.replicas) await demo.stop('SIGKILL');
    this.replicas.length = 0;
    await this.proxy?.close();
    this.client?.disconnect();
    await this.simulator?.close();
    await this.redis?.stopServer();
  }
}

/** Awaits a condition with a bound; returns the seconds it took. */
export async function secondsUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, description: string): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return (Date.now() - started) / 1000;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting until ${description}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function healthyTargets(count: number, prefix = 'node', extra: Record<string, unknown> = {}): unknown[] {
  const types = ['pve', 'pbs', 'pmg'];
  return Array.from({ length: count }, (_, i) => ({
    name: `${prefix}-${i}`,
    type: types[i % types.length],
    changeEverySeconds: 30,
    ...extra,
  }));
}
