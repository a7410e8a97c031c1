import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from 'ioredis';
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
});
