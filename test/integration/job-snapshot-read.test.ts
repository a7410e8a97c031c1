import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { readJobDataAndLock } from '@app/adaptive-polling/engine/job-snapshot-read';
import { startPrivateRedis, type PrivateRedis } from '../support/private-redis';

let server: PrivateRedis;
let redis: Redis;

beforeAll(async () => {
  server = await startPrivateRedis();
  redis = new Redis(server.url);
});
afterAll(async () => {
  redis.disconnect();
  await server.stop();
});

describe('readJobDataAndLock', () => {
  it('reads each job’s data and lock in key order; a missing job is null and unlocked', async () => {
    await redis.hset('bull:q:a', 'data', '{"n":1}', 'opts', '{}');
    await redis.hset('bull:q:b', 'data', '{"n":2}');
    await redis.hset('bull:q:no-data', 'opts', '{}');
    await redis.set('bull:q:b:lock', 'token');
    await redis.set('bull:q:gone:lock', 'token');
    const rows = await readJobDataAndLock(redis, ['bull:q:b', 'bull:q:missing', 'bull:q:a', 'bull:q:no-data', 'bull:q:gone']);
    expect(rows).toEqual([
      { raw: '{"n":2}', locked: true },
      { raw: null, locked: false },
      { raw: '{"n":1}', locked: false },
      { raw: null, locked: false },
      { raw: null, locked: true },
    ]);
  });

  it('answers an empty list with an empty list', async () => {
    expect(await readJobDataAndLock(redis, [])).toEqual([]);
  });
});
