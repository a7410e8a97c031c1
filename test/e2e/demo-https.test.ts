import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connect } from 'node:tls';
import { Module, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { expandFleet, loadFleetFile, parseFleetFile, startFleetServer, type RunningFleetServer } from '@app/fleet-sim';
import { AdaptivePollingModule, TargetRegistryService } from 'nestjs-adaptive-polling';
import { AdaptivePollingProxmoxModule } from 'nestjs-adaptive-polling/proxmox';
import { PollingEngineHost } from '../../libs/adaptive-polling/src/nest/polling-engine.host';
import type { PollFinishedEvent } from '../../libs/adaptive-polling/src/engine/engine-events';
import type { PollingEngine } from '../../libs/adaptive-polling/src/engine/polling-engine';
import { buildDemo, simulatorEnv, startDemo, type DemoProcess } from '../support/demo-process';
import { eventually, waitForEvent } from '../support/events';
import { startPrivateRedis, type PrivateRedis } from '../support/private-redis';

/**
 * The demo and the Proxmox pollers module over HTTPS: the built demo (`node dist/...`)
 * against its in-process simulator and against one the test runs, and a Nest app of
 * the module with the ready-made pollers, each on a private Redis, against the real
 * HTTPS fleet simulator (a self-signed certificate, as a Proxmox node serves).
 */

const TOKEN = 'https-e2e-test-token';
let redis: PrivateRedis;
const demos: DemoProcess[] = [];
const simulators: RunningFleetServer[] = [];
const workDir = mkdtempSync(join(tmpdir(), 'ap-https-'));
let runSeq = 0;

beforeAll(async () => {
  buildDemo();
  redis = await startPrivateRedis();
}, 180_000);

afterEach(async () => {
  while (demos.length) await demos.pop()!.stop('SIGKILL');
  while (simulators.length) await simulators.pop()!.close();
});

afterAll(async () => {
  await redis?.stop();
});

async function demo(env: Record<string, string>): Promise<DemoProcess> {
  runSeq += 1;
  const process = await startDemo({
    PORT: '0',
    REDIS_URL: redis.url,
    ADAPTIVE_POLLING_API_TOKEN: TOKEN,
    DEMO_QUEUE_NAME: `https-${runSeq}`,
    ...env,
  });
  demos.push(process);
  return process;
}

interface Instance {
  key: string;
  instance: string;
  connection: Record<string, unknown>;
  pollStatus: {
    lastSuccess: string | null;
    lastError: { message: string; kind: string; category: string } | null;
    totals: { polls: number; failures: number };
  };
  deadLetter: { present: boolean; reason: string | null };
  nextRun: string | null;
}

async function instances(process: DemoProcess): Promise<Instance[]> {
  const response = await fetch(`${process.url}/api/monitoring/scheduler/health?limit=500`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { instances: Instance[] }).instances;
}

/** The SHA-256 fingerprint of the certificate a server presents, read without trusting it. */
function presentedFingerprint(url: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolveFingerprint, reject) => {
    const socket = connect({ host: hostname, port: Number(port), rejectUnauthorized: false }, () => {
      resolveFingerprint(socket.getPeerCertificate().fingerprint256);
      socket.end();
    });
    socket.once('error', reject);
  });
}

describe('the demo over HTTPS with the ready-made Proxmox pollers', () => {
  it('pins its in-process HTTPS simulator and polls every healthy target of fleets/demo.json at least once', async () => {
    const process = await demo({});
    const [, simulatorUrl, fingerprint] = await eventually(
      async () => /in-process at (https:\/\/\S+), self-signed certificate pinned by its SHA-256 fingerprint (\S+)/.exec(process.output()),
      'the demo names its simulator and the pinned fingerprint',
      10_000,
    );
    expect(await presentedFingerprint(simulatorUrl)).toBe(fingerprint);

    const fleet = expandFleet(loadFleetFile(resolve('fleets/demo.json')));
    // Healthy: answers every request (not hanging, refusing the token, going down or failing at a rate).
    const healthy = fleet.filter((t) => !t.hang && !t.unauthorized && t.down.length === 0 && t.failureRate === 0);
    expect(healthy.map((t) => t.type).sort()).toEqual(expect.arrayContaining(['pbs', 'pmg', 'pve']));

    const polled = await eventually(
      async () => {
        const all = await instances(process);
        const byName = new Map(all.map((i) => [i.instance, i]));
        return healthy.every((t) => byName.get(t.name)?.pollStatus.lastSuccess) ? all : null;
      },
      'every healthy target has a successful poll',
      60_000,
      250,
    );
    for (const instance of polled) {
      // Each target's own API under the simulator, over HTTPS, the certificate pinned; secrets not shown.
      expect(instance.connection.baseUrl).toBe(`${simulatorUrl}/targets/${encodeURIComponent(instance.instance)}`);
      expect(instance.connection.tls).toEqual({ fingerprint });
      expect(Object.keys(instance.connection)).not.toContain('tokenSecret');
      expect(Object.keys(instance.connection)).not.toContain('password');
    }
    for (const t of healthy) {
      const status = polled.find((i) => i.instance === t.name)!.pollStatus;
      expect(status.lastError, t.name).toBeNull();
    }
    // The revoked token reached the simulator over the pinned connection and was refused there.
    const locked = await eventually(
      async () => (await instances(process)).find((i) => i.instance === 'pve-locked' && i.deadLetter.present),
      'the revoked-token target is parked',
      30_000,
      250,
    );
    expect(locked.pollStatus.lastError).toMatchObject({ kind: 'permanent', category: 'auth' });
  }, 120_000);

  it('a wrong pin: the target is parked as permanent `tls` after exactly one poll, naming the fingerprint mismatch', async () => {
    runSeq += 1;
    const fleetPath = join(workDir, `fleet-${runSeq}.json`);
    writeFileSync(
      fleetPath,
      JSON.stringify({
        targets: [
          { name: 'pve-a', type: 'pve', changeEverySeconds: 30 },
          { name: 'pmg-a', type: 'pmg', changeEverySeconds: 30 },
        ],
      }),
    );
    const sim = await startFleetServer({ fleet: loadFleetFile(fleetPath), port: 0 });
    simulators.push(sim);
    const wrong = 'AB:'.repeat(31) + 'AB';
    const process = await demo({ DEMO_FLEET: fleetPath, ...simulatorEnv(sim.url, { fingerprint256: wrong }) });

    const parked = await eventually(
      async () => {
        const all = await instances(process);
        return all.length === 2 && all.every((i) => i.deadLetter.present) ? all : null;
      },
      'both targets are parked',
      60_000,
      250,
    );
    for (const instance of parked) {
      expect(instance.deadLetter.reason, instance.key).toBe('permanent_failure');
      expect(instance.pollStatus.totals, instance.key).toEqual(expect.objectContaining({ polls: 1, failures: 1 }));
      expect(instance.pollStatus.lastError, instance.key).toMatchObject({ kind: 'permanent', category: 'tls' });
      const message = instance.pollStatus.lastError!.message;
      expect(message).toContain('certificate fingerprint mismatch');
      expect(message).toContain(sim.tls!.fingerprint256);
      expect(message).toContain(wrong);
      // Parked: the next try is the dead-letter retry, 30 min away.
      expect(Date.parse(instance.nextRun!) - Date.now()).toBeGreaterThan(25 * 60_000);
    }
    // The pin is checked before the request is written: not one request (or token, or password) reached the server.
    for (const [name, stats] of Object.entries(sim.stats().targets)) expect(stats.apiRequests, name).toBe(0);
  }, 120_000);
});

const SECRET = 'c0ffee00-aaaa-bbbb-cccc-0123456789ab';

/** A Nest app of the module and the ready-made pollers, as a user's app would import them. */
async function proxmoxApp(queueName: string, targets: unknown[]): Promise<{ app: INestApplication; engine: PollingEngine }> {
  @Module({
    imports: [
      AdaptivePollingModule.forRoot({
        redis: redis.url,
        queueName,
        env: false,
        api: false,
        targets: targets as never,
      }),
      AdaptivePollingProxmoxModule.forRoot({ products: ['pve'] }),
    ],
  })
  class ProxmoxAppModule {}
  const moduleRef = await Test.createTestingModule({ imports: [ProxmoxAppModule] }).compile();
  const app = moduleRef.createNestApplication({ logger: ['error'] });
  await app.init();
  return { app, engine: app.get(PollingEngineHost).engine };
}

describe('AdaptivePollingProxmoxModule in a Nest app, against the HTTPS simulator', () => {
  let app: INestApplication | null = null;
  afterEach(async () => {
    await app?.close();
    app = null;
  });

  it('a self-signed certificate with no pin or CA is refused (permanent `tls`, self-signed); the same target with insecure: true polls', async () => {
    const sim = await startFleetServer({
      fleet: parseFleetFile(JSON.stringify({ targets: [{ name: 'pve-a', type: 'pve', changeEverySeconds: 30 }] }), 'https e2e'),
      port: 0,
    });
    simulators.push(sim);
    const connection = { baseUrl: sim.targetUrl('pve-a'), tokenId: 'monitor@pve!e2e', tokenSecret: SECRET };
    const key = 'pve::pve-a';
    const started = await proxmoxApp(`proxmox-app-${Date.now()}`, []);
    app = started.app;
    const { engine } = started;

    // Added with no trust setting: the system CAs decide, and they do not know the simulator's certificate.
    const refused = waitForEvent<PollFinishedEvent>(engine.events, 'poll:finished', (e) => e.key === key, 30_000);
    await app.get(TargetRegistryService).add({ name: 'pve-a', type: 'pve', connection });
    const failed = await refused;
    expect(failed.success).toBe(false);
    expect(failed.failure).toMatchObject({ kind: 'permanent', category: 'tls', code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    expect(failed.failure!.message).toContain('self-signed certificate');
    const parked = await engine.snapshot(key);
    expect(parked!.state!.deadLetter).toMatchObject({ reason: 'permanent_failure' });
    expect(parked!.state!.totals.polls).toBe(1);
    expect(sim.stats().targets['pve-a'].apiRequests).toBe(0);

    // The same target told to accept any certificate, then retried from the dead-letter queue: it polls.
    const polled = waitForEvent<PollFinishedEvent>(engine.events, 'poll:finished', (e) => e.key === key && e.success, 30_000);
    await app.get(TargetRegistryService).update(key, { connection: { ...connection, tls: { insecure: true } } });
    await engine.applyAction(key, 'retry_dead_letter');
    await polled;
    const after = await engine.snapshot(key);
    expect(after!.state!.deadLetter).toBeNull();
    expect(after!.state!.lastSuccessAtMs).not.toBeNull();
    expect(sim.stats().targets['pve-a'].requests).toBe(1);
  }, 60_000);
});
