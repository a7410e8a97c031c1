import { RedisMemoryServer } from 'redis-memory-server';

export interface PrivateRedis {
  url: string;
  host: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * Starts a private redis-server (the system binary, on a free port) for one
 * test file. Tests never touch the shared Redis on 127.0.0.1:6379.
 */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const server = new RedisMemoryServer({
    binary: { systemBinary: process.env.REDISMS_SYSTEM_BINARY ?? '/usr/bin/redis-server' },
    instance: { args: ['--save', '', '--appendonly', 'no'] },
  });
  const host = await server.getHost();
  const port = await server.getPort();
  return {
    url: `redis://${host}:${port}`,
    host,
    port,
    stop: async () => {
      await server.stop();
    },
  };
}
