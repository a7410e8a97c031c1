import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from 'ioredis';
import { jobIdForTarget } from '../../libs/adaptive-polling/src/engine/engine-keys';
import { eventually } from '../support/events';
import { RedisClusterProcess } from '../support/redis-cluster';
import { PollRecorder, fastPolling, startScriptedApp, type ScriptedApp } from '../support/scripted-app';

let cluster: RedisClusterProcess;
let client: Cluster;
const apps: ScriptedApp[] = [];

beforeAll(async () => {
  cluster = await RedisClusterProcess.start();
  client = cluster.client();
});

afterAll(async () => {
  for (const app of apps.splice(0)) await app.close();
  client?.disconnect();
  await cluster?.stop();
});

const targets = (names: string[]) => names.map((name) => ({ name, type: 'scripted' }));

describe('polling on a Redis Cluster (6 redis-server processes, 3 masters)', () => {
  it('polls every target through an ioredis Cluster connection, with the queue and module keys in one slot', async () => {
    const recorder = new PollRecorder();
    const names = ['a', 'b', 'c', 'd', 'e'];
    const app = await startScriptedApp(recorder, {
      redis: client,
      queueName: 'cluster-one',
      targets: targets(names),
      polling: fastPolling(),
    });
    apps.push(app);
    expect(app.engine.queueName).toBe('{cluster-one}');
    await eventually(async () => names.every((n) => recorder.count(`scripted::${n}`) >= 3), 'every target polled 3 times', 20_000);
    for (const n of names) expect(recorder.maxConcurrent.get(`scripted::${n}`)).toBe(1);
    const snapshots = await app.engine.snapshots();
    expect(snapshots.map((s) => s.scheduled)).toEqual(names.map(() => true));
    // Everything the module keeps for this queue hashes to one slot: no command can span two.
    const slot = (key: string) => client.call('CLUSTER', 'KEYSLOT', key) as Promise<number>;
    const queueSlot = await slot(app.engine.bullQueue.keys.delayed);
    for (const key of [
      app.engine.keys.targets,
      app.engine.keys.targetsVersion,
      app.engine.keys.ops('scripted::a'),
      app.engine.keys.lock('x'),
    ]) {
      expect(await slot(key)).toBe(queueSlot);
    }
    await app.close();
    apps.splice(apps.indexOf(app), 1);
  });

  it('splits the schedule over 3 shards whose queues live on different masters, and polls every target', async () => {
    const recorder = new PollRecorder();
    const names = Array.from({ length: 12 }, (_, i) => `s${i}`);
    const app = await startScriptedApp(recorder, {
      redis: client,
      queueName: 'cluster-three',
      shards: 3,
      targets: targets(names),
      polling: fastPolling(),
    });
    apps.push(app);
    const { engine } = app;
    expect(engine.shardQueueNames).toEqual(['{cluster-three}', '{cluster-three-1}', '{cluster-three-2}']);
    await eventually(async () => names.every((n) => recorder.count(`scripted::${n}`) >= 3), 'every target polled 3 times', 20_000);
    for (const n of names) expect(recorder.maxConcurrent.get(`scripted::${n}`)).toBe(1);
    // Each target's job is in its shard's queue, and only there.
    const shardsUsed = new Set<number>();
    for (const n of names) {
      const key = `scripted::${n}`;
      const holders: string[] = [];
      for (const name of engine.shardQueueNames) {
        if ((await client.exists(`bull:${name}:${jobIdForTarget(key)}`)) === 1) holders.push(name);
      }
      expect(holders).toEqual([engine.queueOfTarget(key).name]);
      shardsUsed.add(engine.shardQueueNames.indexOf(holders[0]));
    }
    expect(shardsUsed.size).toBe(3);
    // The three queues' slots are served by three different masters.
    const owners = await Promise.all(engine.shardQueueNames.map((name) => cluster.masterOf(`bull:${name}:delayed`)));
    expect(new Set(owners).size).toBe(3);
    // An operator action goes through the target's own shard (its action list sits in that queue's slot).
    const applied = new Set<string>();
    engine.events.on('operator:applied', (e) => applied.add(e.key));
    const onePerShard = engine.shardQueueNames.map((name) =>
      names.map((n) => `scripted::${n}`).find((k) => engine.queueOfTarget(k).name === name)!,
    );
    for (const key of onePerShard) await engine.applyAction(key, 'reset_breaker');
    await eventually(async () => onePerShard.every((k) => applied.has(k)), 'the action applied on every shard', 10_000);
    const snapshots = await engine.snapshots();
    expect(snapshots.map((s) => s.definition.name)).toEqual([...names].sort());
    expect(snapshots.every((s) => s.scheduled && s.state !== null)).toBe(true);
    // The fleet aggregates (health, gauges) read on the cluster, running jobs counted shard by shard.
    const [aggregate] = await engine.fleetAggregates({ nowMs: Date.now(), dueWindowMs: 60_000, maxIntervalMs: () => 60_000 });
    expect(aggregate).toMatchObject({ type: 'scripted', targets: names.length, queued: names.length, deadLetters: 0 });
    expect(aggregate.dueSoon).toBeLessThanOrEqual(names.length);
    await app.close();
    apps.splice(apps.indexOf(app), 1);
  });

  it('re-shards from 1 to 3: every job moves home with its state, none lost or doubled, every target keeps polling', async () => {
    const recorder = new PollRecorder();
    const names = Array.from({ length: 12 }, (_, i) => `r${i}`);
    const keys = names.map((n) => `scripted::${n}`);
    const options = { redis: client, queueName: 'cluster-reshard', targets: targets(names), polling: fastPolling() };
    const one = await startScriptedApp(recorder, options);
    apps.push(one);
    await eventually(async () => keys.every((k) => recorder.count(k) >= 3), 'every target polled 3 times on one shard', 20_000);
    await one.close();
    apps.splice(apps.indexOf(one), 1);
    const pollsBefore = new Map(keys.map((k) => [k, recorder.count(k)]));

    const three = await startScriptedApp(recorder, { ...options, shards: 3 });
    apps.push(three);
    const { engine } = three;
    const jobsOf = async (key: string) => {
      const holders: string[] = [];
      for (const name of engine.shardQueueNames) {
        if ((await client.exists(`bull:${name}:${jobIdForTarget(key)}`)) === 1) holders.push(name);
      }
      return holders;
    };
    await eventually(
      async () => (await client.get(engine.keys.shardLayout)) === '3',
      'the layout records 3 shards once every job is home',
      20_000,
    );
    await eventually(
      async () => keys.every((k) => recorder.count(k) >= pollsBefore.get(k)! + 3),
      'every target polled 3 more times',
      20_000,
    );
    for (const key of keys) {
      expect(await jobsOf(key)).toEqual([engine.queueOfTarget(key).name]);
      expect(recorder.maxConcurrent.get(key)).toBe(1);
    }
    expect(new Set(keys.map((k) => engine.queueOfTarget(k).name)).size).toBe(3);
    // The state moved with the job: its poll count runs on from before the move.
    for (const snap of await engine.snapshots()) {
      const key = `scripted::${snap.definition.name}`;
      expect(snap.state!.totals.polls).toBeGreaterThanOrEqual(pollsBefore.get(key)! + 3);
      expect(snap.state!.totals.polls).toBeLessThanOrEqual(recorder.count(key));
    }
    await three.close();
    apps.splice(apps.indexOf(three), 1);
  });
});
