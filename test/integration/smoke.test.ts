import { describe, expect, it } from 'vitest';
import Redis from 'ioredis';
import { startPrivateRedis } from '../support/private-redis';

describe('private redis', () => {
  it('starts on a port other than the shared 6379', async () => {
    const redis = await startPrivateRedis();
    expect(redis.port).not.toBe(6379);
    const client = new Redis(redis.url);
    expect(await client.ping()).toBe('PONG');
    client.disconnect();
    await redis.stop();
  });
});
