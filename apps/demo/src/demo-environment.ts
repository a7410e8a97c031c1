import { RedisMemoryServer } from 'redis-memory-server';
import { loadFleetFile, startFleetServer, type FleetTarget } from '@app/fleet-sim/server';
import type { DemoSettings } from './demo-settings';

/** What the demo runs against: its checked settings plus what it started itself. */
export interface DemoEnvironment {
  settings: DemoSettings;
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
  queueName: string | undefined;
  /** Stops what the demo started itself (private Redis, in-process simulator). */
  stop(): Promise<void>;
}

/**
 * Starts what the demo needs that is not given: a private redis-server when
 * REDIS_URL is unset, and the HTTPS fleet simulator in this process when
 * DEMO_SIMULATOR_URL is unset (an external one comes with
 * DEMO_SIMULATOR_FINGERPRINT, its certificate's pin). The settings are already checked.
 */
export async function prepareDemoEnvironment(settings: DemoSettings, env: NodeJS.ProcessEnv): Promise<DemoEnvironment> {
  const stops: Array<() => Promise<void>> = [];

  let redisUrl: string;
  let redisDescription: string;
  if (settings.redisUrl) {
    redisUrl = settings.redisUrl;
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

  let simulatorUrl: string;
  let simulatorFingerprint: string;
  let simulatorDescription: string;
  if (settings.simulator) {
    ({ url: simulatorUrl, fingerprint: simulatorFingerprint } = settings.simulator);
    simulatorDescription = `${simulatorUrl} (DEMO_SIMULATOR_URL), certificate pinned by DEMO_SIMULATOR_FINGERPRINT ${simulatorFingerprint}`;
  } else {
    // HTTPS with a self-signed certificate, as a Proxmox node serves by default.
    const simulator = await startFleetServer({ fleet: loadFleetFile(settings.fleetPath), port: 0 });
    simulatorUrl = simulator.url;
    simulatorFingerprint = simulator.tls!.fingerprint256;
    simulatorDescription = `in-process at ${simulatorUrl}, self-signed certificate pinned by its SHA-256 fingerprint ${simulatorFingerprint}`;
    stops.push(() => simulator.close());
  }

  return {
    settings,
    port: settings.port,
    redisUrl,
    redisDescription,
    simulatorUrl,
    simulatorFingerprint,
    simulatorDescription,
    fleetPath: settings.fleetPath,
    fleet: settings.fleet,
    queueName: settings.queueName,
    stop: async () => {
      for (const stop of stops.reverse()) await stop();
    },
  };
}
