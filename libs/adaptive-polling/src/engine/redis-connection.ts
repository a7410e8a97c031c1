import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { redactSecrets } from '../core/redact';
import { redisBackUp, redisDown, redisUrlScheme } from './redis-messages';

/** How a user hands us Redis: a URL, ioredis options, a client they own, or an ioredis Cluster. */
export type RedisConnectionInput = string | RedisOptions | Redis | Cluster;

/** A connection the engine sends commands on: one Redis, or a Redis Cluster (every key of one queue in one slot). */
export type RedisClient = Redis | Cluster;

export interface OwnedRedis {
  client: RedisClient;
  /** True when we created the client and must close it. */
  owned: boolean;
}

/** Where connection state changes are told. */
export interface ConnectionStateLogger {
  log(message: string): void;
  warn(message: string): void;
}

/** Shutdown never waits longer than this for Redis (it may be gone already). */
export const SHUTDOWN_REDIS_BOUND_MS = 2_000;

/** A Redis URL with a scheme ioredis would misread (it takes `http://...` for a socket path and waits forever). */
export class RedisUrlError extends Error {
  override readonly name = 'RedisUrlError';
  constructor(where: string, scheme: string) {
    super(redisUrlScheme(where, scheme));
  }
}

const REDIS_SCHEMES = new Set(['redis:', 'rediss:']);

function isRedisClient(value: RedisConnectionInput): value is Redis {
  return value instanceof Redis;
}

/** The clients a SCAN must go through to see every key: SCAN lists one node's keys, so a cluster's masters each. */
export function scanNodesOf(client: RedisClient): Redis[] {
  return client instanceof Cluster ? client.nodes('master') : [client];
}

/** True for an ioredis Cluster: its keys must be hash-tagged per queue (see poll-queue-options.ts). */
export function isClusterInput(value: RedisConnectionInput): value is Cluster {
  return value instanceof Cluster;
}

function checkUrl(input: string): void {
  let scheme: string;
  try {
    scheme = new URL(input).protocol;
  } catch {
    return; // a host:port or socket path: ioredis's own forms
  }
  if (!REDIS_SCHEMES.has(scheme)) throw new RedisUrlError(describeRedis(input), scheme.replace(/:$/, ''));
}

/**
 * Opens a client for BullMQ or the engine's own commands. BullMQ workers need
 * `maxRetriesPerRequest: null` (blocking commands must not time out), so
 * every client we create gets it; an existing client is duplicated with it.
 * With a logger, an outage is told once when it starts and once when it ends
 * (ioredis would otherwise print a stack for every reconnect attempt).
 */
export function openRedis(input: RedisConnectionInput, name: string, logger?: ConnectionStateLogger): OwnedRedis {
  let client: RedisClient;
  if (isClusterInput(input)) {
    // The cluster's own node connections carry the options; its startup nodes are kept.
    client = input.duplicate(undefined, {
      redisOptions: { ...input.options.redisOptions, maxRetriesPerRequest: null, connectionName: name },
    });
  } else if (isRedisClient(input)) {
    client = input.duplicate({ maxRetriesPerRequest: null, connectionName: name });
  } else if (typeof input === 'string') {
    checkUrl(input);
    client = new Redis(input, { maxRetriesPerRequest: null, connectionName: name });
  } else {
    client = new Redis({ ...input, maxRetriesPerRequest: null, connectionName: name });
  }
  watchConnectionState(client, name, describeRedis(input), logger);
  return { client, owned: true };
}

function watchConnectionState(client: RedisClient, name: string, where: string, logger?: ConnectionStateLogger): void {
  let down = false;
  client.on('error', (error: Error) => {
    if (down) return;
    down = true;
    logger?.warn(redisDown(name, where, redactSecrets(error.message || error.name)));
  });
  client.on('ready', () => {
    if (down) logger?.log(redisBackUp(name, where));
    down = false;
  });
}

const SOCKET_ERROR_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH']);

/** An error of the connection itself (socket reset, refused, closed), which the connection's state line already tells. */
export function isConnectionError(error: Error & { code?: unknown }): boolean {
  if (typeof error.code === 'string' && SOCKET_ERROR_CODES.has(error.code)) return true;
  return /^Connection is closed\.?$/.test(error.message) || /\b(ECONNRESET|ECONNREFUSED|EPIPE)\b/.test(error.message);
}

/**
 * Logs an error a BullMQ worker or queue emits, unless it belongs to an outage:
 * while Redis is gone (or the error is the socket's own) the connection's state
 * line says it all, and BullMQ would print each retry's error.
 */
export function logUnlessOutage(client: RedisClient, log: (message: string) => void, label: string, error: Error): void {
  if (!isRedisReady(client) || isConnectionError(error)) return;
  log(`${label}: ${redactSecrets(error.message)}`);
}

/** True while the client can send commands now (not connecting, not reconnecting). */
export function isRedisReady(client: RedisClient): boolean {
  return client.status === 'ready';
}

/** Resolves true once the client is connected (at once when it is), false when its connection attempt fails. */
export function whenConnected(client: RedisClient): Promise<boolean> {
  if (isRedisReady(client)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const settle = (connected: boolean) => {
      client.off('ready', onReady);
      client.off('error', onFailed);
      client.off('end', onFailed);
      resolve(connected);
    };
    const onReady = () => settle(true);
    const onFailed = () => settle(false);
    client.once('ready', onReady);
    client.once('error', onFailed);
    client.once('end', onFailed);
  });
}

/** Resolves with the promise's value, or undefined after `ms` (the promise is left to settle on its own). */
export async function withinBound<T>(promise: Promise<T>, ms = SHUTDOWN_REDIS_BOUND_MS): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise, bound]);
  } finally {
    clearTimeout(timer);
  }
}

/** Closes politely when Redis answers, at once otherwise (QUIT would wait for a Redis that is gone). */
export async function closeRedis(redis: OwnedRedis | null | undefined, ms = SHUTDOWN_REDIS_BOUND_MS): Promise<void> {
  if (!redis?.owned) return;
  const client = redis.client;
  if (!isRedisReady(client)) {
    client.disconnect();
    return;
  }
  const closed = await withinBound(
    client.quit().then(
      () => true,
      () => false,
    ),
    ms,
  );
  if (!closed) client.disconnect();
}

/** A description safe to print: host and port, never the password. */
export function describeRedis(input: RedisConnectionInput): string {
  if (isClusterInput(input)) {
    const nodes = input.nodes('master').map((node) => `${node.options.host ?? '127.0.0.1'}:${node.options.port ?? 6379}`);
    return `redis cluster${nodes.length > 0 ? ` ${nodes.sort().join(',')}` : ''} (existing client)`;
  }
  if (isRedisClient(input)) {
    const { host, port, db } = input.options;
    return `redis://${host ?? '127.0.0.1'}:${port ?? 6379}/${db ?? 0} (existing client)`;
  }
  if (typeof input === 'string') {
    try {
      const url = new URL(input);
      return `${url.protocol}//${url.hostname}:${url.port || 6379}${url.pathname && url.pathname !== '/' ? url.pathname : ''}`;
    } catch {
      return 'redis (unparseable URL)';
    }
  }
  return `redis://${input.host ?? '127.0.0.1'}:${input.port ?? 6379}/${input.db ?? 0}`;
}
