import { resolve } from 'node:path';
import {
  PollingOptionsError,
  validateAdaptivePollingOptions,
  type AdaptivePollingModuleOptions,
  type OptionProblem,
} from 'nestjs-adaptive-polling';
import { validatePersistenceOptions, type AdaptivePollingPersistenceOptions } from 'nestjs-adaptive-polling/persistence';
import { normalizeFingerprint } from 'nestjs-adaptive-polling/proxmox';
import { expandFleet, loadFleetFile, type FleetTarget } from '@app/fleet-sim/server';
import type { DemoApiToken } from './demo-api-token';
import { demoConnection } from './demo-connections';

/** What the demo reads from its environment (see README), checked before anything starts. */
export interface DemoSettings {
  port: number;
  /** REDIS_URL, or null: the demo starts a private redis-server. */
  redisUrl: string | null;
  /** DEMO_SIMULATOR_URL (https://) with its pin DEMO_SIMULATOR_FINGERPRINT, or null: the demo runs the simulator in-process. */
  simulator: { url: string; fingerprint: string } | null;
  fleetPath: string;
  fleet: FleetTarget[];
  /** BullMQ queue name (DEMO_QUEUE_NAME), so several demos can share one Redis apart. */
  queueName: string | undefined;
  systemJsonPath: string;
  persistence: AdaptivePollingPersistenceOptions;
}

/** Where the module and persistence options come from in the demo's environment, for messages. */
const ENV_OF_FIELD: Record<string, string> = { redis: 'REDIS_URL', 'persistence.url': 'DATABASE_URL' };

export const DEFAULT_DEMO_FLEET = 'fleets/demo.json';

// Stand-ins for what the demo starts itself when REDIS_URL / DEMO_SIMULATOR_URL are unset,
// so the options can be checked before anything is started.
const OWN_REDIS_PLACEHOLDER = 'redis://127.0.0.1:6379';
const OWN_SIMULATOR_PLACEHOLDER = { url: 'https://127.0.0.1:0', fingerprint: Array(32).fill('00').join(':') };

function portProblem(raw: string | undefined, name: string): OptionProblem | null {
  if (raw === undefined || raw === '') return null;
  const port = Number(raw);
  return Number.isInteger(port) && port >= 0 && port <= 65535 ? null : { field: name, message: `"${raw}" is not a port number (0-65535)` };
}

/** An external simulator must serve HTTPS, and the demo pins its certificate: `npm run simulator` prints the fingerprint. */
function simulatorSetting(env: NodeJS.ProcessEnv, problems: OptionProblem[]): DemoSettings['simulator'] {
  const url = env.DEMO_SIMULATOR_URL?.trim();
  if (!url) return null;
  const raw = env.DEMO_SIMULATOR_FINGERPRINT?.trim();
  const fingerprint = raw ? normalizeFingerprint(raw) : null;
  if (!url.startsWith('https://')) {
    problems.push({ field: 'DEMO_SIMULATOR_URL', message: `"${url}" must be https:// (the Proxmox pollers speak HTTPS only)` });
  }
  if (!raw) {
    problems.push({
      field: 'DEMO_SIMULATOR_FINGERPRINT',
      message: 'required with DEMO_SIMULATOR_URL (the SHA-256 fingerprint npm run simulator prints)',
    });
  } else if (fingerprint === null) {
    problems.push({ field: 'DEMO_SIMULATOR_FINGERPRINT', message: `"${raw}" is not a SHA-256 fingerprint like AA:BB:... (32 bytes)` });
  }
  return { url, fingerprint: fingerprint ?? '' };
}

/** The polling module's options for the demo's fleet (the same in the check and in the app). */
export function demoModuleOptions(
  settings: DemoSettings,
  apiToken: DemoApiToken,
  urls: { redisUrl: string; simulatorUrl: string; simulatorFingerprint: string },
): AdaptivePollingModuleOptions {
  return {
    redis: urls.redisUrl,
    queueName: settings.queueName,
    systemJsonPath: settings.systemJsonPath,
    // The token from ADAPTIVE_POLLING_API_TOKEN (read by the module), or the one generated for this run.
    api: apiToken.generated ? { token: apiToken.generated } : {},
    targets: settings.fleet.map((target) => ({
      name: target.name,
      type: target.type,
      displayName: target.displayName,
      connection: demoConnection(target, urls.simulatorUrl, urls.simulatorFingerprint),
      metadata: { fleetEntry: target.entry },
    })),
  };
}

/**
 * Reads and checks the whole configuration (the demo's own variables, the
 * polling module's options with their env and system.json, persistence)
 * without connecting to or starting anything; throws one PollingOptionsError
 * naming every problem.
 */
export function readDemoSettings(env: NodeJS.ProcessEnv, apiToken: DemoApiToken): DemoSettings {
  const problems: OptionProblem[] = [];
  const port = portProblem(env.PORT, 'PORT');
  if (port) problems.push(port);

  const fleetPath = resolve(env.DEMO_FLEET ?? DEFAULT_DEMO_FLEET);
  let fleet: FleetTarget[] = [];
  try {
    fleet = expandFleet(loadFleetFile(fleetPath));
  } catch (error) {
    problems.push({ field: 'DEMO_FLEET', message: error instanceof Error ? error.message : String(error) });
  }

  const settings: DemoSettings = {
    port: port || !env.PORT ? 3000 : Number(env.PORT),
    redisUrl: env.REDIS_URL?.trim() || null,
    simulator: simulatorSetting(env, problems),
    fleetPath,
    fleet,
    queueName: env.DEMO_QUEUE_NAME || undefined,
    systemJsonPath: env.DEMO_SYSTEM_JSON ?? 'system.json',
    // PostgreSQL when DATABASE_URL is set, else SQLite under ./data.
    persistence: { url: env.DATABASE_URL, sqlitePath: env.DEMO_SQLITE_PATH || './data/adaptive-polling.sqlite' },
  };
  const moduleOptions = demoModuleOptions(settings, apiToken, {
    redisUrl: settings.redisUrl ?? OWN_REDIS_PLACEHOLDER,
    simulatorUrl: (settings.simulator ?? OWN_SIMULATOR_PLACEHOLDER).url,
    simulatorFingerprint: (settings.simulator ?? OWN_SIMULATOR_PLACEHOLDER).fingerprint,
  });
  for (const problem of [...validateAdaptivePollingOptions(moduleOptions), ...validatePersistenceOptions(settings.persistence)]) {
    const envName = ENV_OF_FIELD[problem.field];
    problems.push(envName ? { ...problem, field: envName } : problem);
  }
  if (problems.length > 0) throw PollingOptionsError.listing(problems);
  return settings;
}
