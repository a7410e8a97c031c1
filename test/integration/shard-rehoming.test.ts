import { describe, expect, it } from 'vitest';
import { shardOfTarget } from '../../libs/adaptive-polling/src/core/shards';
import { engineKeys, jobIdForTarget } from '../../libs/adaptive-polling/src/engine/engine-keys';
import type { OperatorActionEvent } from '../../libs/adaptive-polling/src/engine/engine-events';
import { OperatorQueue } from '../../libs/adaptive-polling/src/engine/operator-queue';
import { encodeQueuedAction } from '../../libs/adaptive-polling/src/engine/queued-action';
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

  it('re-shards from 3 down to 1: an operator action queued under 3 shards is applied after the move, once', async () => {
    const recorder = new PollRecorder();
    const names = Array.from({ length: 6 }, (_, i) => `o${i}`);
    const options = {
      redis: redis.url,
      queueName: 'reshard-ops',
      targets: names.map((name) => ({ name, type: 'scripted' })),
      polling: fastPolling(),
    };
    const three = await startScriptedApp(recorder, { ...options, shards: 3 });
    apps.push(three);
    const keys = names.map((n) => `scripted::${n}`);
    await eventually(async () => keys.every((k) => recorder.count(k) >= 1), 'every target polled on 3 shards');
    await three.close();

    // Queued as a 3-shard replica queues it, while no replica runs: in the former shard's list, the job marked.
    const key = keys.find((k) => shardOfTarget(k, 3) !== 0)!;
    const former = shardQueueNames('bull', 'reshard-ops', 3, false)[shardOfTarget(key, 3)];
    const formerList = engineKeys('bull', former).ops(key);
    await new OperatorQueue(redis.client, engineKeys('bull', former)).push(
      key,
      encodeQueuedAction({ action: 'reset_breaker', actor: 'operator:test', askedAtMs: Date.now() }),
      `bull:${former}:${jobIdForTarget(key)}`,
    );

    const one = await startScriptedApp(recorder, options);
    apps.push(one);
    const applied: OperatorActionEvent[] = [];
    one.engine.events.on('operator:applied', (e) => applied.push(e));
    await eventually(async () => (await redis.client.get(one.engine.keys.shardLayout)) === '1', 'the layout records 1 shard', 20_000);
    await eventually(async () => applied.some((e) => e.key === key), 'the queued action applied in the home shard', 20_000);
    const before = recorder.count(key);
    await eventually(async () => recorder.count(key) >= before + 2, 'the target polled twice more');
    expect(applied.filter((e) => e.key === key).map((e) => [e.action, e.actor])).toEqual([['reset_breaker', 'operator:test']]);
    expect(await redis.client.exists(formerList)).toBe(0);
    expect(await redis.client.exists(one.engine.keys.ops(key))).toBe(0);
  });
});
