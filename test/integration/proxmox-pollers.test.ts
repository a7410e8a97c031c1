import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandFleet, parseFleetFile, startFleetServer, type RunningFleetServer } from '@app/fleet-sim';
import { classifyFailure } from '../../libs/adaptive-polling/src/core/classify';
import type { PollContext } from 'nestjs-adaptive-polling';
import {
  fetchPbsSnapshot,
  fetchPmgSnapshot,
  fetchPveSnapshot,
  pbsChangeSignal,
  pmgChangeSignal,
  proxmoxApiFor,
  pveChangeSignal,
  PmgGatewayPoller,
  PmgTicketStore,
  PveClusterPoller,
  type ProxmoxTlsOptions,
} from 'nestjs-adaptive-polling/proxmox';
import { eventually } from '../support/events';

/**
 * The ready-made pollers against the HTTPS fleet simulator (real TLS, real HTTP, the
 * Proxmox paths and auth), with the simulator's clock in the test's hands.
 */
const SECRET = 'c0ffee00-1111-2222-3333-444455556666';
const PMG_PASSWORD = 'pmg-password-secret';
const FLEET = parseFleetFile(
  JSON.stringify({
    targets: [
      { name: 'pve-a', type: 'pve', guests: 120, changeEverySeconds: 60 },
      { name: 'pbs-a', type: 'pbs', guests: 3, changeEverySeconds: 60 },
      { name: 'pmg-a', type: 'pmg', guests: 2, changeEverySeconds: 60 },
      { name: 'pve-locked', type: 'pve', unauthorized: true },
    ],
  }),
  'proxmox test fleet',
);

let sim: RunningFleetServer;
let simNowMs = 0;
let changeAtMs: number;

beforeAll(async () => {
  sim = await startFleetServer({ fleet: FLEET, port: 0, seed: 3, clock: () => simNowMs });
  const { TargetBehaviour } = await import('@app/fleet-sim');
  changeAtMs = new TargetBehaviour(expandFleet(FLEET)[0], 3).changeTimesUntil(3_600_000)[0]!;
});
afterAll(() => sim.close());

function context(name: string, type: string, connection: Record<string, unknown>): PollContext {
  return {
    target: { key: `${type}::${name}`, name, type, displayName: name, connection, metadata: {} },
    signal: AbortSignal.timeout(10_000),
    attempt: 1,
    previousResultHash: null,
    breakerState: 'closed',
  };
}

const pinned = (): ProxmoxTlsOptions => ({ fingerprint: sim.tls!.fingerprint256 });
const pve = (tls: ProxmoxTlsOptions | undefined, extra: Record<string, unknown> = {}) =>
  context('pve-a', 'pve', { baseUrl: sim.targetUrl('pve-a'), tokenId: 'monitor@pve!pulse', tokenSecret: SECRET, tls, ...extra });

async function failureOf(poll: () => Promise<unknown>) {
  const error = await Promise.resolve()
    .then(poll)
    .then(
      () => null,
      (e: unknown) => e,
    );
  expect(error, 'the poll should have failed').not.toBeNull();
  return classifyFailure(error);
}

describe('ready-made Proxmox pollers against the HTTPS simulator', () => {
  it('the simulator serves HTTPS with a self-signed certificate and names its fingerprint', () => {
    expect(sim.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(sim.tls!.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  it('PVE with the fingerprint pinned: cluster/resources + cluster/status, signal stable under counters, new at a change', async () => {
    simNowMs = changeAtMs - 20_000;
    const first = await fetchPveSnapshot(proxmoxApiFor('pve', pve(pinned())));
    simNowMs = changeAtMs - 10_000;
    const second = await fetchPveSnapshot(proxmoxApiFor('pve', pve(pinned())));
    const guests = first.resources.filter((r) => r.type === 'qemu' || r.type === 'lxc');
    expect(guests).toHaveLength(120);
    expect(first.resources.some((r) => r.type === 'node')).toBe(true);
    expect(first.clusterStatus[0]).toMatchObject({ type: 'cluster', quorate: 1 });
    // Counters moved between the two answers, the signal did not.
    expect(JSON.stringify(second)).not.toBe(JSON.stringify(first));
    expect(pveChangeSignal(second)).toBe(pveChangeSignal(first));
    simNowMs = changeAtMs + 1;
    const changed = await fetchPveSnapshot(proxmoxApiFor('pve', pve(pinned())));
    expect(pveChangeSignal(changed)).not.toBe(pveChangeSignal(first));
  });

  it('PBS and PMG answer in their shapes; PMG logs in once and reuses its ticket', async () => {
    simNowMs = 1_000;
    const pbs = await fetchPbsSnapshot(
      proxmoxApiFor(
        'pbs',
        context('pbs-a', 'pbs', { baseUrl: sim.targetUrl('pbs-a'), tokenId: 'monitor@pbs!pulse', tokenSecret: SECRET, tls: pinned() }),
      ),
    );
    expect(pbs.datastores.map((d) => d.store)).toEqual(['store1', 'store2', 'store3']);
    expect(pbs.tasks.length).toBe(50);
    // Datastores with their usage band; tasks only once one fails (none has at the start).
    expect(pbsChangeSignal(pbs)).toContain('store|store1|||0');
    expect(pbsChangeSignal(pbs)).not.toContain('task|');

    let clientNowMs = 0;
    const tickets = new PmgTicketStore(() => clientNowMs);
    const pmgContext = context('pmg-a', 'pmg', {
      baseUrl: sim.targetUrl('pmg-a'),
      username: 'monitor@pmg',
      password: PMG_PASSWORD,
      tls: pinned(),
    });
    const before = sim.stats().targets['pmg-a'].apiRequests;
    // `requests` counts a ticket login and each poll's first path (config/cluster/status).
    const polls = () => sim.stats().targets['pmg-a'].requests;
    const pollsBefore = polls();
    const pmg = await fetchPmgSnapshot(proxmoxApiFor('pmg', pmgContext, tickets));
    expect(pmg.cluster.map((m) => m.type)).toEqual(['master', 'node']);
    expect(Object.keys(pmg.queues)).toEqual(['pmg1', 'pmg2']);
    expect(pmgChangeSignal(pmg)).toContain('member|pmg1|master');
    // login + cluster status + statistics + two queues
    expect(sim.stats().targets['pmg-a'].apiRequests - before).toBe(5);
    expect(polls() - pollsBefore).toBe(2);
    await fetchPmgSnapshot(proxmoxApiFor('pmg', pmgContext, tickets));
    expect(sim.stats().targets['pmg-a'].apiRequests - before).toBe(9);
    expect(polls() - pollsBefore).toBe(3);
    // Past 90 minutes the ticket is renewed before PMG's 2 h lifetime runs out.
    clientNowMs = 91 * 60_000;
    simNowMs += 91 * 60_000;
    await fetchPmgSnapshot(proxmoxApiFor('pmg', pmgContext, tickets));
    expect(polls() - pollsBefore).toBe(5);
  });

  it('a poll sends all its requests over one TLS connection (pinned, CA or insecure), and keeps none open after it', async () => {
    simNowMs = 2_000;
    const cases: Array<[string, PollContext, (ctx: PollContext) => Promise<unknown>, number]> = [
      ['pve pinned', pve(pinned()), (ctx) => new PveClusterPoller().poll(ctx), 2],
      ['pve insecure', pve({ insecure: true }), (ctx) => new PveClusterPoller().poll(ctx), 2],
      [
        'pmg with its CA',
        context('pmg-a', 'pmg', {
          baseUrl: sim.targetUrl('pmg-a'),
          username: 'monitor@pmg',
          password: PMG_PASSWORD,
          tls: { ca: sim.tls!.certPem },
        }),
        (ctx) => new PmgGatewayPoller(null).poll(ctx),
        5,
      ],
    ];
    for (const [what, ctx, poll, requests] of cases) {
      const target = ctx.target.name;
      const before = sim.stats();
      await poll(ctx);
      const after = sim.stats();
      expect(after.targets[target].apiRequests - before.targets[target].apiRequests, what).toBe(requests);
      expect(after.connections - before.connections, what).toBe(1);
      await eventually(async () => sim.stats().openConnections === before.openConnections, `${what}: its connection closed`);
    }
  });

  it('a wrong fingerprint is permanent `tls` naming the mismatch, and not one request reaches the server', async () => {
    const before = sim.stats().targets['pve-a'].apiRequests;
    const wrong = 'AB:'.repeat(31) + 'AB';
    const failure = await failureOf(() => fetchPveSnapshot(proxmoxApiFor('pve', pve({ fingerprint: wrong }))));
    expect(failure).toMatchObject({ kind: 'permanent', category: 'tls', code: 'ERR_TLS_FINGERPRINT_MISMATCH' });
    expect(failure.message).toContain('certificate fingerprint mismatch');
    expect(failure.message).toContain(sim.tls!.fingerprint256);
    expect(failure.message).not.toContain(SECRET);
    expect(sim.stats().targets['pve-a'].apiRequests).toBe(before);
  });

  it('a self-signed certificate with neither pin nor CA is refused as permanent `tls`; insecure: true or its CA accept it', async () => {
    const failure = await failureOf(() => fetchPveSnapshot(proxmoxApiFor('pve', pve(undefined))));
    expect(failure).toMatchObject({ kind: 'permanent', category: 'tls', code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    expect(failure.message).toContain('TLS: self-signed certificate');
    await expect(fetchPveSnapshot(proxmoxApiFor('pve', pve({ insecure: true })))).resolves.toHaveProperty('resources');
    await expect(fetchPveSnapshot(proxmoxApiFor('pve', pve({ ca: sim.tls!.certPem })))).resolves.toHaveProperty('resources');
  });

  it('a certificate for another name is refused as permanent `tls` (name mismatch) even with its CA', async () => {
    // The certificate names localhost and 127.0.0.1; this simulator listens on 127.0.0.2 (loopback too).
    const other = await startFleetServer({ fleet: FLEET, port: 0, host: '127.0.0.2' });
    try {
      const byName = pve({ ca: other.tls!.certPem }, { baseUrl: other.targetUrl('pve-a') });
      const failure = await failureOf(() => fetchPveSnapshot(proxmoxApiFor('pve', byName)));
      expect(failure).toMatchObject({ kind: 'permanent', category: 'tls', code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
      expect(failure.message).toContain('TLS: certificate name mismatch');
    } finally {
      await other.close();
    }
  });

  it('HTTP errors follow SPEC 3 and never carry the secret: 401 is permanent `auth`', async () => {
    const locked = context('pve-locked', 'pve', {
      baseUrl: sim.targetUrl('pve-locked'),
      tokenId: 'monitor@pve!pulse',
      tokenSecret: SECRET,
      tls: pinned(),
    });
    const failure = await failureOf(() => fetchPveSnapshot(proxmoxApiFor('pve', locked)));
    expect(failure).toMatchObject({ kind: 'permanent', category: 'auth', statusCode: 401 });
    expect(failure.message).toContain('HTTP 401 authentication failure');
    expect(failure.message).not.toContain(SECRET);
    // A locked target costs one request per poll: the pollers ask one path at a time.
    expect(sim.stats().targets['pve-locked']).toMatchObject({ requests: 1, apiRequests: 1, maxConcurrent: 1 });

    const badConfig = await failureOf(() => fetchPveSnapshot(proxmoxApiFor('pve', pve(pinned(), { tokenId: 'no-realm' }))));
    expect(badConfig).toMatchObject({ kind: 'permanent', category: 'validation' });
    expect(badConfig.message).toContain('tokenId');
  });
});
