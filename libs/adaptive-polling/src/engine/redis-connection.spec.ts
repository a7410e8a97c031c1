import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { RedisUrlError, logUnlessOutage, openRedis } from './redis-connection';

function refusedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('openRedis', () => {
  it.each(['http://127.0.0.1:6379', 'https://:pw@redis.lan:6379/0'])(
    'refuses %s (ioredis would read it as a socket path and wait forever)',
    (url) => {
      expect(() => openRedis(url, 'test')).toThrow(RedisUrlError);
      try {
        openRedis(url, 'test');
      } catch (error) {
        expect((error as Error).message).toMatch(/expected redis:\/\/ or rediss:\/\//);
        expect((error as Error).message).not.toContain('pw');
      }
    },
  );

  it('tells an outage once, with the connection named and the password left out, however often it retries', async () => {
    const port = await refusedPort();
    const lines: string[] = [];
    const logger = { log: (m: string) => lines.push(`log ${m}`), warn: (m: string) => lines.push(`warn ${m}`) };
    const { client } = openRedis(`redis://:s3cret-pw@127.0.0.1:${port}`, 'adaptive-polling:test', logger);
    let errors = 0;
    await new Promise<void>((resolve) =>
      client.on('error', () => {
        errors += 1;
        if (errors === 3) resolve();
      }),
    );
    client.disconnect();
    expect(lines).toEqual([
      `warn Redis redis://127.0.0.1:${port} unreachable (adaptive-polling:test): connect ECONNREFUSED 127.0.0.1:${port}; ` +
        'retrying in the background, health answers 503 until it is back',
    ]);
  });
});

describe('logUnlessOutage', () => {
  const ready = { status: 'ready' } as Redis;
  const reconnecting = { status: 'reconnecting' } as Redis;
  const socketError = (code: string, message: string) => Object.assign(new Error(message), { code });

  it.each([
    ['read ECONNRESET', socketError('ECONNRESET', 'read ECONNRESET')],
    ['connect ECONNREFUSED', socketError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:6379')],
    ['write EPIPE', socketError('EPIPE', 'write EPIPE')],
    ['Connection is closed.', new Error('Connection is closed.')],
  ])('leaves out the socket error "%s" even while the client still looks ready (the state line tells it)', (_, error) => {
    const lines: string[] = [];
    logUnlessOutage(ready, (m) => lines.push(m), 'worker error', error);
    expect(lines).toEqual([]);
  });

  it('leaves out any error while the client is reconnecting', () => {
    const lines: string[] = [];
    logUnlessOutage(reconnecting, (m) => lines.push(m), 'queue error', new Error('could not renew lock for job x'));
    expect(lines).toEqual([]);
  });

  it('logs other errors of a ready client once, with its label and secrets redacted', () => {
    const lines: string[] = [];
    logUnlessOutage(ready, (m) => lines.push(m), 'worker error', new Error('could not renew lock, ?ticket=PVE:root@pam:SECRET'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^worker error: could not renew lock/);
    expect(lines[0]).not.toContain('SECRET');
  });
});
