import { describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { normaliseTarget } from '../../libs/adaptive-polling/src/core/target';
import { engineKeys } from '../../libs/adaptive-polling/src/engine/engine-keys';
import { TargetStore } from '../../libs/adaptive-polling/src/engine/target-store';
import { usePrivateRedis } from '../support/redis-fixture';

const redis = usePrivateRedis();

/** The real client, with HGETALL held until `release()`: a reload that reads the registry just before another write lands. */
function withHeldReload(client: Redis): { client: Redis; reloading: Promise<void>; release: () => void } {
  let release!: () => void;
  let started!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const reloading = new Promise<void>((resolve) => (started = resolve));
  const held = new Proxy(client, {
    get(target, prop, receiver) {
      if (prop !== 'hgetall') return Reflect.get(target, prop, receiver) as unknown;
      return async (...args: [string]) => {
        const all = await target.hgetall(...args);
        started();
        await gate;
        return all;
      };
    },
  });
  return { client: held, reloading, release };
}

describe('the target registry local copy', () => {
  it('keeps a target this process added while a reload of the registry was in flight, so a rebuild after Redis loss restores it', async () => {
    const keys = engineKeys('bull', 'target-store-race');
    const other = new TargetStore(redis.client, keys);
    await other.put([normaliseTarget({ type: 'scripted', name: 'static' })]);

    const held = withHeldReload(redis.client);
    const store = new TargetStore(held.client, keys);
    const refreshing = store.refresh(); // reads the registry: only "static" is in it
    await held.reloading;
    await store.put([normaliseTarget({ type: 'scripted', name: 'runtime' })]);
    held.release();
    await refreshing;

    expect(store.get('scripted::runtime')).toBeDefined();
    await redis.client.flushall();
    expect(await store.refresh()).toBe('lost');
    await store.restore();
    expect(Object.keys(await redis.client.hgetall(keys.targets)).sort()).toEqual(['scripted::runtime', 'scripted::static']);
  });

  it('writes 100,000 definitions in one put (static targets of a big fleet at start-up)', async () => {
    const keys = engineKeys('bull', 'target-store-big');
    const store = new TargetStore(redis.client, keys);
    const defs = Array.from({ length: 100_000 }, (_, i) => normaliseTarget({ type: 'scripted', name: `t${i}` }));
    await store.put(defs);
    expect(await redis.client.hlen(keys.targets)).toBe(100_000);
    expect(JSON.parse((await redis.client.hget(keys.targets, 'scripted::t99999')) ?? 'null')).toEqual(defs[99_999]);
    expect(store.get('scripted::t0')).toEqual(defs[0]);
  });
});
