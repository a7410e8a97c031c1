// UNFINISHED (not run: the name does not match test/cluster/*.test.ts). Rename to .test.ts once
// the engine recovers reliably (5 runs in a row are not enough: 3 of 25 failed).
// Findings (issue 16 failover session, 2026-12-03, BullMQ 6.7.0, ioredis 5.11.1):
// - After the kill, the worker's fetch fails ("Too many Cluster redirections", CLUSTERDOWN,
//   "Connection is closed."). On an error waitForJob returns Infinity, so blockUntil is lost; the
//   next BZPOPMIN waits up to 10 s (+1 s watchdog) on a marker that was already popped: the
//   7.8-12.9 s resumes. A bare connection error in the fetch waits runRetryDelay (15 s default).
// - Tried: every second add the "0" marker (ZADD marker 0 "0") to a shard whose delayed jobs are
//   overdue by > 1 s: 7 of 8 runs resumed in 2.1-2.8 s. Adding runRetryDelay 1 s: 22 of 25 runs
//   resumed in 2.1-8.8 s, 3 not within 15 s. In one of those the shard hung > 36 s (worker
//   waiting=true, blockUntil stuck at the job's due time, marker present, delayed due,
//   active 0): the worker is parked inside a BullMQ await that never
//   settles, so a marker cannot help. Next idea, not verified: replace a shard's worker when it
//   stays overdue for 4 s after the wake with no job of the shard active.
// - The ~2 min "close" was this harness: kill() waited for the exit of a node SIGKILLed earlier
//   (exitCode stays null, signalCode is set) until the 120 s hook timeout; fixed in
//   test/support/redis-cluster.ts. app.close() itself took 15-140 ms, or 12 s (the 10 s grace plus
//   one 2 s bound) in 2 of ~30 runs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from 'ioredis';
import { eventually } from '../support/events';
import { SHUTDOWN_REDIS_BOUND_MS } from '../../libs/adaptive-polling/src/engine/redis-connection';
import { DEFAULT_SHUTDOWN_GRACE_MS } from '../../libs/adaptive-polling/src/nest/adaptive-polling.options';
import { RedisClusterProcess } from '../support/redis-cluster';
import { PollRecorder, fastPolling, startScriptedApp, type ScriptedApp } from '../support/scripted-app';

let cluster: RedisClusterProcess;
let client: Cluster;
let app: ScriptedApp | undefined;

beforeAll(async () => {
  cluster = await RedisClusterProcess.start();
  client = cluster.client();
});

afterAll(async () => {
  await app?.close();
  client?.disconnect();
  await cluster?.stop();
});

const RESUME_BOUND_MS = 15_000;
/**
 * Closing waits for the workers up to the grace period (a worker's QUIT can wait on the dead
 * node's connection), then at most the shutdown bound for each of four steps that talk to Redis.
 */
const CLOSE_BOUND_MS = DEFAULT_SHUTDOWN_GRACE_MS + 4 * SHUTDOWN_REDIS_BOUND_MS + 1_000;

describe('a Redis Cluster master dies', () => {
  it('its replica takes over and polling resumes within 15 s, with no overlap and no target lost', async () => {
    const recorder = new PollRecorder();
    const names = Array.from({ length: 12 }, (_, i) => `f${i}`);
    const keys = names.map((n) => `scripted::${n}`);
    app = await startScriptedApp(recorder, {
      redis: client,
      queueName: 'cluster-failover',
      shards: 3,
      targets: names.map((name) => ({ name, type: 'scripted' })),
      polling: fastPolling(),
      stalledIntervalMs: 2_000,
      reconcileIntervalMs: 1_000,
    });
    const { engine } = app;
    await eventually(async () => keys.every((k) => recorder.count(k) >= 3), 'every target polled 3 times', 20_000);

    // The master that serves shard 1's queue.
    const victim = await cluster.masterOf(`bull:${engine.shardQueueNames[1]}:delayed`);
    const killedAt = Date.now();
    const before = new Map(keys.map((k) => [k, recorder.count(k)]));
    await cluster.kill(victim);
    const shard1 = `bull:${engine.shardQueueNames[1]}:delayed`;
    await eventually(
      async () => (await cluster.masterOf(shard1).catch(() => victim)) !== victim,
      'a replica serves the slot',
      RESUME_BOUND_MS,
      100,
    );
    await cluster.waitUntilOk(RESUME_BOUND_MS);
    console.log(`cluster failover: a replica took over after ${Date.now() - killedAt} ms`);

    const probe = setInterval(() => {
      const stuck = keys.filter((k) => recorder.count(k) < before.get(k)! + 2).map((k) => `${k}@${engine.queueOfTarget(k).name}`);
      console.log(`t+${Date.now() - killedAt} ms stuck: ${stuck.join(' ')}`);
    }, 2_000);
    await eventually(
      async () => keys.every((k) => recorder.count(k) >= before.get(k)! + 2),
      'every target polled twice more after the kill',
      Number(process.env.AP_FAILOVER_WAIT_MS ?? RESUME_BOUND_MS) - (Date.now() - killedAt),
      50,
    ).finally(() => clearInterval(probe));
    const resumedMs = Date.now() - killedAt;
    console.log(`cluster failover: every target polled twice more ${resumedMs} ms after the master was killed`);
    expect(resumedMs).toBeLessThan(RESUME_BOUND_MS);
    for (const key of keys) expect(recorder.maxConcurrent.get(key)).toBe(1);
    const snapshots = await engine.snapshots();
    expect(snapshots).toHaveLength(keys.length);
    expect(snapshots.every((s) => s.scheduled)).toBe(true);

    const closing = Date.now();
    await app.close();
    app = undefined;
    const closeMs = Date.now() - closing;
    console.log(`cluster failover: the app closed in ${closeMs} ms`);
    expect(closeMs).toBeLessThan(CLOSE_BOUND_MS);
  });
});
