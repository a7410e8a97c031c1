import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startPrivateRedis, type PrivateRedis } from './private-redis';

/** A private redis-server for one test file and an admin client on it. */
export interface RedisFixture {
  readonly server: PrivateRedis;
  readonly url: string;
  readonly client: Redis;
}

/**
 * Starts a private redis-server in beforeAll and stops it in afterAll (see
 * startPrivateRedis: never the shared 127.0.0.1:6379). Read the fields inside
 * tests and hooks, once the server has started.
 */
export function usePrivateRedis(): RedisFixture {
  let server: PrivateRedis | undefined;
  let client: Redis | undefined;
  beforeAll(async () => {
    server = await startPrivateRedis();
    client = new Redis(server.url);
  });
  afterAll(async () => {
    client?.disconnect();
    await server?.stop();
  });
  const started = () => {
    if (!server || !client) throw new Error('usePrivateRedis: read before beforeAll started the server');
    return { server, client };
  };
  return {
    get server() {
      return started().server;
    },
    get url() {
      return started().server.url;
    },
    get client() {
      return started().client;
    },
  };
}

/** A list of things a test started (apps, clients); each is closed after the test, newest first. */
export function useClosedAfterEach<T extends { close(): Promise<unknown> }>(): T[] {
  const items: T[] = [];
  afterEach(async () => {
    while (items.length) await items.pop()!.close();
  });
  return items;
}
