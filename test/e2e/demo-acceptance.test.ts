import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startFleetServer, type RunningFleetServer } from '@app/fleet-sim';
import { targetStateFromJobData } from '../../libs/adaptive-polling/src/engine/job-state-codec';
import type { TargetPollState } from 'nestjs-adaptive-polling';
import { buildDemo, simulatorEnv, startDemo, type DemoProcess } from '../support/demo-process';
import { eventually } from '../support/events';
import { startPrivateRedis, type PrivateRedis } from '../support/private-redis';

/**
 * The engine issue's acceptance lines, against the built demo (`node dist/...`)
 * as separate processes, a private Redis and the HTTPS fleet simulator.
 */

let redis: PrivateRedis;
let client: Redis;
const demos: DemoProcess[] = [];
const simulators: RunningFleetServer[] = [];
const workDir = mkdtempSync(join(tmpdir(), 'ap-acceptance-'));
let runSeq = 0;

beforeAll(async () => {
  buildDemo();
  redis = await startPrivateRedis();
  client = new Redis(redis.url);
}, 180_000);

afterEach(async () => {
  while (demos.length) await demos.pop()!.stop('SIGKILL');
  while (simulators.length) await simulators.pop()!.close();
});

afterAll(async () => {
  client.disconnect();
  await redis.stop();
});

function fleetFile(targets: unknown[]): string {
  runSeq += 1;
  const path = join(workDir, `fleet-${runSeq}.json`);
  writeFileSync(path, JSON.stringify({ targets }));
  return path;
}

async function simulator(fleetPath: string): Promise<RunningFleetServer> {
  const { loadFleetFile } = await import('@app/fleet-sim');
  const server = await startFleetServer({ fleet: loadFleetFile(fleetPath), port: 0 });
  simulators.push(server);
  return server;
}

async function demo(env: Record<string, string>): Promise<DemoProcess> {
  const process = await startDemo({
    PORT: '0',
    // One database per test, shared by its processes as replicas share one.
    DEMO_SQLITE_PATH: join(workDir, `db-${runSeq}.sqlite`),
    REDIS_URL: redis.url,
    ADAPTIVE_POLLING_API_TOKEN: 'acceptance-token',
    ...env,
  });
  demos.push(process);
  return process;
}

async function targetState(queue: string, key: string): Promise<TargetPollState | null> {
  const raw = await client.hget(`bull:${queue}:target-${encodeURIComponent(key)}`, 'data');
  if (!raw) return null;
  return targetStateFromJobData(JSON.parse(raw));
}

describe('demo acceptance (issue 4)', () => {
  it('with max interval 10s: the unauthorized target costs exactly 1 request, the down one exactly 5, never two at once', async () => {
    const fleet = fleetFile([
      { name: 'pve-locked', type: 'pve', unauthorized: true },
      { name: 'pbs-down', type: 'pbs', down: true },
      { name: 'pmg-healthy', type: 'pmg', changeEverySeconds: 30 },
    ]);
    const sim = await simulator(fleet);
    const queue = `acceptance-${runSeq}`;
    const startedAt = Date.now();
    await demo({
      DEMO_FLEET: fleet,
      ...simulatorEnv(sim.url, sim.tls),
      ADAPTIVE_POLLING_MAX_INTERVAL: '10s',
      DEMO_QUEUE_NAME: queue,
    });

    // Both are parked once their dead-letter entry exists; from then on their
    // next run is 30 min away, so the counts below can no longer grow.
    const parked = await eventually(
      async () => {
        const locked = await targetState(queue, 'pve::pve-locked');
        const down = await targetState(queue, 'pbs::pbs-down');
        return locked?.deadLetter && down?.deadLetter ? { locked, down } : null;
      },
      'both targets are dead-lettered',
      60_000,
    );
    const elapsedSeconds = (Date.now() - startedAt) / 1000;
    const stats = sim.stats().targets;
    expect(elapsedSeconds).toBeLessThanOrEqual(60);
    expect(stats['pve-locked'].requests).toBe(1);
    expect(stats['pbs-down'].requests).toBe(5);
    expect(parked.locked.deadLetter!.reason).toBe('permanent_failure');
    expect(parked.down.deadLetter!.reason).toBe('max_retry_attempts');
    for (const state of [parked.locked, parked.down]) {
      expect(state.nextRunAtMs! - Date.now()).toBeGreaterThan(29 * 60_000);
    }
    for (const [name, s] of Object.entries(stats)) expect(s.maxConcurrent, name).toBeLessThanOrEqual(1);
  }, 90_000);

  it('two demo processes on one Redis share one schedule: no overlap, one process worth of requests', async () => {
    const targets = Array.from({ length: 6 }, (_, i) => ({ name: `node-${i}`, type: 'pve', changeEverySeconds: 5 }));
    const fleet = fleetFile(targets);
    const sim = await simulator(fleet);
    const queue = `acceptance-${runSeq}`;
    // Fixed cadence (adaptive off) of 1 s per target, so the expected rate is known.
    const env = {
      DEMO_FLEET: fleet,
      ...simulatorEnv(sim.url, sim.tls),
      DEMO_QUEUE_NAME: queue,
      ADAPTIVE_POLLING_ENABLED: 'false',
      ADAPTIVE_POLLING_BASE_INTERVAL: '1s',
      ADAPTIVE_POLLING_MIN_INTERVAL: '500ms',
      ADAPTIVE_POLLING_MAX_INTERVAL: '1m',
    };
    await Promise.all([demo(env), demo(env)]);
    const total = () => Object.values(sim.stats().targets).reduce((sum, s) => sum + s.requests, 0);
    // Measure over a window of 60 requests once both are up and polling.
    await eventually(async () => total() >= 12, 'both processes polling');
    const fromCount = total();
    const fromTime = Date.now();
    await eventually(async () => total() >= fromCount + 60, '60 more requests', 30_000);
    const seconds = (Date.now() - fromTime) / 1000;
    const perTargetPerSecond = (total() - fromCount) / seconds / targets.length;
    // One process polls each target about once a second (1 s +-5 % jitter);
    // two processes each polling every target would double that.
    expect(perTargetPerSecond).toBeGreaterThan(0.7);
    expect(perTargetPerSecond).toBeLessThan(1.35);
    for (const [name, s] of Object.entries(sim.stats().targets)) expect(s.maxConcurrent, name).toBe(1);
    const jobKeys = (await client.keys(`bull:${queue}:target-*`)).filter((k) => !/:(lock|logs)$/.test(k));
    expect(jobKeys).toHaveLength(targets.length);
  }, 90_000);

  it('kill -9 of a process during a poll: the other process polls the target again within 10 s', async () => {
    const fleet = fleetFile([{ name: 'pve-slow', type: 'pve', changeEverySeconds: 60, latencyMs: 30_000 }]);
    const sim = await simulator(fleet);
    const queue = `acceptance-${runSeq}`;
    const env = { DEMO_FLEET: fleet, ...simulatorEnv(sim.url, sim.tls), DEMO_QUEUE_NAME: queue };
    const first = await demo(env);
    await eventually(async () => sim.stats().targets['pve-slow'].inFlight === 1, 'the first process is mid-poll', 30_000);
    const second = await demo(env);
    const requestsBefore = sim.stats().targets['pve-slow'].requests;
    await first.stop('SIGKILL');
    const killedAt = Date.now();
    await eventually(
      async () => sim.stats().targets['pve-slow'].requests > requestsBefore,
      'the second process polls the target again',
      20_000,
      25,
    );
    const takeoverSeconds = (Date.now() - killedAt) / 1000;
    console.log(`kill -9 takeover: target polled again ${takeoverSeconds.toFixed(2)} s after the kill`);
    expect(takeoverSeconds).toBeLessThanOrEqual(10);
    expect(second.child.exitCode).toBeNull();
  }, 90_000);
});
