/**
 * The HTTP fleet simulator on its own: `npm run simulator`.
 *
 * Env: `PORT` (default 4000), `HOST` (default 127.0.0.1), `DEMO_FLEET`
 * (default fleets/demo.json), `SIMULATOR_SEED` (default 1), `SIMULATOR_TLS`
 * (`false` serves plain HTTP; default HTTPS with a self-signed certificate whose
 * fingerprint is printed).
 */
import { resolve } from 'node:path';
import { loadFleetFile, FleetFileError, expandFleet } from '../fleet-file';
import { startFleetServer } from './fleet-server';

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

function intFromEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) fail(`${name}: must be an integer between ${min} and ${max}, got "${raw}"`);
  return value;
}

async function main(): Promise<void> {
  const port = intFromEnv('PORT', 4000, 0, 65535);
  const seed = intFromEnv('SIMULATOR_SEED', 1, 0, 2 ** 32 - 1);
  const host = process.env.HOST?.trim() || '127.0.0.1';
  const fleetPath = resolve(process.env.DEMO_FLEET?.trim() || 'fleets/demo.json');

  let fleet;
  try {
    fleet = loadFleetFile(fleetPath);
  } catch (error) {
    if (error instanceof FleetFileError) fail(error.message);
    throw error;
  }
  const targets = expandFleet(fleet);
  const server = await startFleetServer({
    fleet: targets,
    port,
    host,
    seed,
    tls: process.env.SIMULATOR_TLS?.trim().toLowerCase() !== 'false',
  });
  const types = new Map<string, number>();
  for (const t of targets) types.set(t.type, (types.get(t.type) ?? 0) + 1);
  process.stdout.write(
    `fleet simulator listening on ${server.url}\n` +
      `  fleet: ${fleetPath} (${targets.length} targets: ${[...types].map(([t, n]) => `${n} ${t}`).join(', ')}), seed ${seed}\n` +
      (server.tls
        ? `  self-signed certificate, SHA-256 fingerprint (pin it): ${server.tls.fingerprint256}\n` +
          `  the demo against it: DEMO_SIMULATOR_URL=${server.url} DEMO_SIMULATOR_FINGERPRINT=${server.tls.fingerprint256} npm start\n`
        : '') +
      `  Proxmox API per pve/pbs/pmg target: ${server.url}/targets/<name>/api2/json/...\n` +
      `  GET ${server.url}/targets/<name>/status   GET ${server.url}/targets   GET ${server.url}/stats   POST ${server.url}/stats/reset\n`,
  );

  const stop = (signal: string) => {
    process.stdout.write(`${signal}: closing the fleet simulator\n`);
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`fleet simulator failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
