import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { startFleetServer, type RunningFleetServer } from '@app/fleet-sim';
import { targetStateFromJobData } from '../../libs/adaptive-polling/src/engine/job-state-codec';
import { buildDemo, simulatorEnv, startDemo, type DemoProcess } from '../support/demo-process';
import { startCountingProxy, type CountingProxy } from '../support/counting-proxy';
import { eventually } from '../support/events';
import { startPrivateRedis, type PrivateRedis } from '../support/private-redis';

/**
 * A poll that kills its process, with 2 demo processes: each takeover by the
 * other process dies too, until the target is parked (reason `stalled`).
 * The demos poll through one counting proxy, which tells which process has
 * the poison target in flight; the test kills exactly that one (as the
 * handler would kill itself), and a fresh process replaces it.
 */

let redis: PrivateRedis;
let client: Redis;
let sim: RunningFleetServer;
let proxy: CountingProxy;
const running: DemoProcess[] = [];
const workDir = mkdtempSync(join(tmpdir(), 'ap-poison-'));
const queue = 'poison';
const fleet = join(workDir, 'fleet.json');

beforeAll(async () => {
  buildDemo();
  redis = await startPrivateRedis();
  client = new Redis(redis.url);
  writeFileSync(
    fleet,
    JSON.stringify({
      targets: [
        // Always mid-poll when the test looks: the process holding it is the one to kill.
        { name: 'pve-poison', type: 'pve', changeEverySeconds: 60, latencyMs: 60_000 },
        { name: 'pve-healthy', type: 'pve', changeEverySeconds: 1 },
      ],
    }),
  );
  const { loadFleetFile } = await import('@app/fleet-sim');
  sim = await startFleetServer({ fleet: loadFleetFile(fleet), port: 0 });
  proxy = await startCountingProxy(sim.url, sim.tls);
}, 180_000);

afterAll(async () => {
  for (const demo of running.splice(0)) await demo.stop('SIGKILL');
  await proxy?.close();
  await sim?.close();
  client?.disconnect();
  await redis?.stop();
});

async function startOne(): Promise<void> {
  const demo = await startDemo({
    PORT: '0',
    DEMO_SQLITE_PATH: join(workDir, 'db.sqlite'),
    REDIS_URL: redis.url,
    ADAPTIVE_POLLING_API_TOKEN: 'poison-test-api-token',
    ADAPTIVE_POLLING_MAX_INTERVAL: '10s',
    DEMO_FLEET: fleet,
    ...simulatorEnv(proxy.url, sim.tls),
    DEMO_QUEUE_NAME: queue,
  });
  running.push(demo);
}

async function poisonState() {
  const raw = await client.hget(`bull:${queue}:target-${encodeURIComponent('pve::pve-poison')}`, 'data');
  return raw ? targetStateFromJobData(JSON.parse(raw)) : null;
}

describe('poison targets', () => {
  it('a poll that kills its process: after 3 takeovers the target is dead-lettered (stalled), the other keeps polling', async () => {
    await startOne();
    await startOne();
    const startedAt = Date.now();
    let kills = 0;
    for (;;) {
      const holder = await eventually(
        async () => {
          if ((await poisonState())?.deadLetter) return 'parked' as const;
          return running.find((demo) => proxy.inFlightTargets(demo.child.pid).includes('pve-poison')) ?? null;
        },
        'a process is mid-poll of the poison target, or it is parked',
        30_000,
        25,
      );
      if (holder === 'parked') break;
      await holder.stop('SIGKILL');
      running.splice(running.indexOf(holder), 1);
      kills += 1;
      expect(kills).toBeLessThanOrEqual(3);
      await startOne();
    }
    const state = await poisonState();
    console.log(
      `poison: ${kills} kills, parked ${((Date.now() - startedAt) / 1000).toFixed(1)} s after the first poll began: ${JSON.stringify(state?.deadLetter)}`,
    );
    expect(kills).toBe(3);
    expect(state!.deadLetter!.reason).toBe('stalled');
    expect(state!.nextRunAtMs! - Date.now()).toBeGreaterThan(25 * 60_000);
    // The other target keeps polling on the surviving processes.
    const before = sim.stats().targets['pve-healthy'].requests;
    await eventually(async () => sim.stats().targets['pve-healthy'].requests >= before + 2, 'the healthy target keeps polling', 30_000);
    for (const demo of running) expect(demo.child.exitCode).toBeNull();
  }, 240_000);
});
