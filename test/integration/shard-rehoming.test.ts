import { describe, expect, it } from 'vitest';
import { jobIdForTarget } from '../../libs/adaptive-polling/src/engine/engine-keys';
import { shardQueueNames } from '../../libs/adaptive-polling/src/engine/shard-queues';
import { eventually } from '../support/events';
import { useClosedAfterEach, usePrivateRedis } from '../support/redis-fixture';
import { PollRecorder, fastPolling, startScriptedApp, type ScriptedApp } from '../support/scripted-app';

const redis = usePrivateRedis();
const apps = useClosedAfterEach<ScriptedApp>();

describe('shards on one Redis', () => {
  it('re-shards from 3 down to 1: the dropped shards are drained, each job kept once with its state', async () => {
    const recorder = new PollRecorder();
    const names = Array.from({ length: 9 }, (_, i) => `d${i}`);
    const keys = names.map((n) => `scripted::${n}`);
    // One target paused: its job is due in years, and must move anyway.
    const targets = names.map((name, i) => ({ name, type: 'scripted', paused: i === 0 }));
    const options = { redis: redis.url, queueName: 'reshard-down', targets, polling: fastPolling() };
    const three = await startScriptedApp(recorder, { ...options, shards: 3 });
    apps.push(three);
    const polled = keys.slice(1);
    await eventually(async () => polled.every((k) => recorder.count(k) >= 3), 'every running target polled 3 times on 3 shards');
    await three.close();
    const before = new Map(polled.map((k) => [k, recorder.count(k)]));

    const one = await startScriptedApp(recorder, options);
    apps.push(one);
    const all = shardQueueNames('bull', 'reshard-down', 3, false);
    const holders = async (key: string) => {
      const found: string[] = [];
      for (const name of all) if ((await redis.client.exists(`bull:${name}:${jobIdForTarget(key)}`)) === 1) found.push(name);
      return found;
    };
    await eventually(async () => (await redis.client.get(one.engine.keys.shardLayout)) === '1', 'the layout records 1 shard', 20_000);
    await eventually(async () => polled.every((k) => recorder.count(k) >= before.get(k)! + 3), 'every running target polled 3 more times');
    for (const key of keys) expect(await holders(key)).toEqual(['reshard-down']);
    expect(recorder.count(keys[0])).toBe(0);
    for (const key of polled) expect(recorder.maxConcurrent.get(key)).toBe(1);
    for (const snap of await one.engine.snapshots()) {
      if (snap.definition.paused) continue;
      expect(snap.state!.totals.polls).toBeGreaterThanOrEqual(before.get(`scripted::${snap.definition.name}`)! + 3);
    }
  });
});
