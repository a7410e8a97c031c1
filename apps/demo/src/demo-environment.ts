import { resolve } from 'node:path';
import { RedisMemoryServer } from 'redis-memory-server';
import { normalizeFingerprint } from 'nestjs-adaptive-polling/proxmox';
import { expandFleet, loadFleetFile, startFleetServer, type FleetTarget } from '@app/fleet-sim/server';

/** What the demo runs against, from its environment (see README). */
export interface DemoEnvironment {
  port: number;
  redisUrl: string;
  redisDescription: string;
  /** `https://...`: the Proxmox pollers speak HTTPS only. */
  simulatorUrl: string;
  /** The SHA-256 fingerprint of the simulator's certificate, pinned on every target. */
  simulatorFingerprint: string;
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

/** An external simulator must serve HTTPS, and the demo pins its certificate: `npm run simulator` prints the fingerprint. */
function givenSimulatorFingerprint(url: string, raw: string | undefined): string {
  if (!url.startsWith('https://')) {
    throw new Error(`DEMO_SIMULATOR_URL: "${url}" must be https:// (the Proxmox pollers speak HTTPS only)`);
  }
  if (raw === undefined || raw.trim() === '') {
    throw new Error('DEMO_SIMULATOR_FINGERPRINT: required with DEMO_SIMULATOR_URL (the SHA-256 fingerprint npm run simulator prints)');
  }
  const fingerprint = normalizeFingerprint(raw);
  if (fingerprint === null) throw new Error(`DEMO_SIMULATOR_FINGERPRINT: "${raw}" is not a SHA-256 fingerprint like AA:BB:... (32 bytes)`);
  return fingerprint;
}

/**
 * Starts what the demo needs that is not given: a private redis-server when
 * REDIS_URL is unset, and the HTTPS fleet simulator in this process when
 * DEMO_SIMULATOR_URL is unset (an external one comes with
 * DEMO_SIMULATOR_FINGERPRINT, its certificate's pin).
 */
export async function prepareDemoEnvironment(env: NodeJS.ProcessEnv): Promise<DemoEnvironment> {
  const port = parsePort(env.PORT, 'PORT', 3000);
  const fleetPath = resolve(env.DEMO_FLEET ?? DEFAULT_DEMO_FLEET);
  const fleetFile = loadFleetFile(fleetPath);
  // Checked before anything starts, so a bad value leaves nothing running.
  let simulatorUrl = env.DEMO_SIMULATOR_URL ?? '';
  let simulatorFingerprint = simulatorUrl ? givenSimulatorFingerprint(simulatorUrl, env.DEMO_SIMULATOR_FINGERPRINT) : '';
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

  let simulatorDescription: string;
  if (simulatorUrl) {
    simulatorDescription = `${simulatorUrl} (DEMO_SIMULATOR_URL), certificate pinned by DEMO_SIMULATOR_FINGERPRINT ${simulatorFingerprint}`;
  } else {
    // HTTPS with a self-signed certificate, as a Proxmox node serves by default.
    const simulator = await startFleetServer({ fleet: fleetFile, port: 0 });
    simulatorUrl = simulator.url;
    simulatorFingerprint = simulator.tls!.fingerprint256;
    simulatorDescription = `in-process at ${simulatorUrl}, self-signed certificate pinned by its SHA-256 fingerprint ${simulatorFingerprint}`;
    stops.push(() => simulator.close());
  }

  return {
    port,
    redisUrl,
    redisDescription,
    simulatorUrl,
    simulatorFingerprint,
    simulatorDescription,
    fleetPath,
    fleet: expandFleet(fleetFile),
    queueName: env.DEMO_QUEUE_NAME || undefined,
    stop: async () => {
      for (const stop of stops.reverse()) await stop();
    },
  };
}
