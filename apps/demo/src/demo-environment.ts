import { resolve } from 'node:path';
import { RedisMemoryServer } from 'redis-memory-server';
import { expandFleet, loadFleetFile, startFleetServer, type FleetTarget } from '@app/fleet-sim/server';

/** What the demo runs against, from its environment (see README). */
export interface DemoEnvironment {
  port: number;
  redisUrl: string;
  redisDescription: string;
  simulatorUrl: string;
  simulatorDescription: string;
  fleetPath: string;
  fleet: FleetTarget[];
  /** BullMQ queue name (DEMO_QUEUE_NAME), so several demos can share one Redis apart. */
  queueName: string | undefined;
  /** Stops what the demo started itself (private Redis, in-process simulator). */
  stop(): Promise<void>;
}

export const DEFAULT_DEMO_FLEET = 'fleets/demo.json';

function parsePort(raw: string | undefined, name: string, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`${name}: "${raw}" is not a port number (0-65535)`);
  }
  return port;
}

/**
 * Starts what the demo needs that is not given: a private redis-server when
 * REDIS_URL is unset, and the fleet simulator in this process when
 * DEMO_SIMULATOR_URL is unset.
 */
export async function prepareDemoEnvironment(env: NodeJS.ProcessEnv): Promise<DemoEnvironment> {
  const port = parsePort(env.PORT, 'PORT', 3000);
  const fleetPath = resolve(env.DEMO_FLEET ?? DEFAULT_DEMO_FLEET);
  const fleetFile = loadFleetFile(fleetPath);
  const stops: Array<() => Promise<void>> = [];

  let redisUrl = env.REDIS_URL ?? '';
  let redisDescription: string;
  if (redisUrl) {
    const url = new URL(redisUrl);
    redisDescription = `${url.hostname}:${url.port || 6379} (REDIS_URL)`;
  } else {
    const server = new RedisMemoryServer({
      binary: { systemBinary: env.REDISMS_SYSTEM_BINARY ?? '/usr/bin/redis-server' },
      instance: { args: ['--save', '', '--appendonly', 'no'] },
    });
    redisUrl = `redis://${await server.getHost()}:${await server.getPort()}`;
    redisDescription = `private redis-server at ${redisUrl} (no REDIS_URL given; it stops with the demo)`;
    stops.push(async () => {
      await server.stop();
    });
  }

  let simulatorUrl = env.DEMO_SIMULATOR_URL ?? '';
  let simulatorDescription: string;
  if (simulatorUrl) {
    simulatorDescription = `${simulatorUrl} (DEMO_SIMULATOR_URL)`;
  } else {
    const simulator = await startFleetServer({ fleet: fleetFile, port: 0, tls: false }); // the demo's pollers speak plain HTTP
    simulatorUrl = simulator.url;
    simulatorDescription = `in-process at ${simulatorUrl}`;
    stops.push(() => simulator.close());
  }

  return {
    port,
    redisUrl,
    redisDescription,
    simulatorUrl,
    simulatorDescription,
    fleetPath,
    fleet: expandFleet(fleetFile),
    queueName: env.DEMO_QUEUE_NAME || undefined,
    stop: async () => {
      for (const stop of stops.reverse()) await stop();
    },
  };
}
