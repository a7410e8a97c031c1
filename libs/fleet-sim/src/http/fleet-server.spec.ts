// The plain /status route over HTTP (tls: false); the Proxmox API over HTTPS is in proxmox-api.spec.ts.
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TargetBehaviour } from '../behaviour';
import { expandFleet, parseFleetFile } from '../fleet-file';
import { startFleetServer, type RunningFleetServer } from './fleet-server';

const FLEET = parseFleetFile(
  JSON.stringify({
    targets: [
      { name: 'pve-busy', type: 'pve', count: 2, changeEverySeconds: 10 },
      { name: 'pbs-flaky', type: 'pbs', failureRate: 1 },
      { name: 'pmg-down', type: 'pmg', down: [{ fromSeconds: 100, toSeconds: 200 }] },
      { name: 'pve-gone', type: 'pve', down: true },
      { name: 'pve-locked', type: 'pve', unauthorized: true },
      { name: 'pve-slow', type: 'pve', latencyMs: 400, changeEverySeconds: 60 },
      { name: 'pmg-hang', type: 'pmg', hang: true },
    ],
  }),
  'test fleet',
);

describe('HTTP fleet simulator', () => {
  const servers: RunningFleetServer[] = [];
  let nowMs = 0;
  const start = async (seed = 1) => {
    const server = await startFleetServer({ fleet: FLEET, port: 0, seed, clock: () => nowMs, tls: false });
    servers.push(server);
    return server;
  };
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
    nowMs = 0;
  });

  const stats = async (server: RunningFleetServer) =>
    (
      (await (await fetch(`${server.url}/stats`)).json()) as {
        targets: Record<string, { requests: number; inFlight: number; maxConcurrent: number }>;
      }
    ).targets;

  it('serves each target with the behaviour model: 200 with changing data, 503, 401, 404', async () => {
    const server = await start(7);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const behaviour = new TargetBehaviour(expandFleet(FLEET)[0], 7);
    const [c1, c2] = behaviour.changeTimesUntil(60_000) as [number, number];

    nowMs = c1;
    const first = await fetch(`${server.url}/targets/pve-busy-1/status`);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toMatch(/application\/json/);
    const firstBody = (await first.json()) as { version: number; target: string };
    expect(firstBody).toEqual(behaviour.dataAt(c1));
    expect(firstBody).toMatchObject({ target: 'pve-busy-1', type: 'pve', version: 1 });

    nowMs = c2;
    const second = (await (await fetch(`${server.url}/targets/pve-busy-1/status`)).json()) as { version: number };
    expect(second.version).toBe(2);

    expect((await fetch(`${server.url}/targets/pbs-flaky/status`)).status).toBe(503);
    expect((await fetch(`${server.url}/targets/pve-locked/status`)).status).toBe(401);
    const missing = await fetch(`${server.url}/targets/nope/status`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'unknown target "nope"' });
    expect((await fetch(`${server.url}/elsewhere`)).status).toBe(404);

    const list = (await (await fetch(`${server.url}/targets`)).json()) as { targets: Array<{ name: string }> };
    expect(list.targets.map((t) => t.name)).toEqual([
      'pve-busy-1',
      'pve-busy-2',
      'pbs-flaky',
      'pmg-down',
      'pve-gone',
      'pve-locked',
      'pve-slow',
      'pmg-hang',
    ]);
  });

  it('drops the connection while a target is down, and serves it again after the window', async () => {
    const server = await start();
    await expect(fetch(`${server.url}/targets/pve-gone/status`)).rejects.toThrow();
    const error = await fetch(`${server.url}/targets/pve-gone/status`).catch((e: unknown) => e as Error & { cause?: { code?: string } });
    expect(error).toBeInstanceOf(Error);
    expect(String((error as { cause?: { code?: string } }).cause?.code)).toMatch(/ECONNRESET|UND_ERR_SOCKET/);

    nowMs = 99_999;
    expect((await fetch(`${server.url}/targets/pmg-down/status`)).status).toBe(200);
    nowMs = 150_000;
    await expect(fetch(`${server.url}/targets/pmg-down/status`)).rejects.toThrow();
    nowMs = 200_000;
    expect((await fetch(`${server.url}/targets/pmg-down/status`)).status).toBe(200);

    const s = await stats(server);
    expect(s['pve-gone']).toEqual({ requests: 2, apiRequests: 2, inFlight: 0, maxConcurrent: 1 });
    expect(s['pmg-down']).toEqual({ requests: 3, apiRequests: 3, inFlight: 0, maxConcurrent: 1 });
  });

  it('counts requests per target and resets the counters', async () => {
    const server = await start();
    for (let i = 0; i < 3; i++) await (await fetch(`${server.url}/targets/pve-busy-2/status`)).arrayBuffer();
    await (await fetch(`${server.url}/targets/pve-locked/status`)).arrayBuffer();
    let s = await stats(server);
    expect(Object.keys(s)).toHaveLength(8);
    expect(s['pve-busy-2']).toEqual({ requests: 3, apiRequests: 3, inFlight: 0, maxConcurrent: 1 });
    expect(s['pve-locked']).toEqual({ requests: 1, apiRequests: 1, inFlight: 0, maxConcurrent: 1 });
    expect(s['pve-busy-1']).toEqual({ requests: 0, apiRequests: 0, inFlight: 0, maxConcurrent: 0 });
    expect(server.stats().targets['pve-busy-2']?.requests).toBe(3);

    expect(await (await fetch(`${server.url}/stats/reset`, { method: 'POST' })).json()).toEqual({ reset: true });
    s = await stats(server);
    expect(Object.values(s).every((c) => c.requests === 0 && c.inFlight === 0 && c.maxConcurrent === 0)).toBe(true);
  });

  it('tracks inFlight and maxConcurrent with concurrent requests to a slow target', async () => {
    const server = await start();
    const answers = Array.from({ length: 4 }, () =>
      fetch(`${server.url}/targets/pve-slow/status`).then(async (r) => ({ status: r.status, body: await r.json() })),
    );
    // While the four are delayed by latencyMs, all of them are in flight.
    let during = (await stats(server))['pve-slow'];
    while (during && during.requests < 4) during = (await stats(server))['pve-slow'];
    expect(during).toEqual({ requests: 4, apiRequests: 4, inFlight: 4, maxConcurrent: 4 });
    const done = await Promise.all(answers);
    expect(done.map((d) => d.status)).toEqual([200, 200, 200, 200]);
    expect((await stats(server))['pve-slow']).toEqual({ requests: 4, apiRequests: 4, inFlight: 0, maxConcurrent: 4 });
  });

  it('a hung target answers nothing until the client aborts', async () => {
    const server = await start();
    const controller = new AbortController();
    const pending = fetch(`${server.url}/targets/pmg-hang/status`, { signal: controller.signal });
    let s = (await stats(server))['pmg-hang'];
    while (s && s.inFlight < 1) s = (await stats(server))['pmg-hang'];
    expect(s).toEqual({ requests: 1, apiRequests: 1, inFlight: 1, maxConcurrent: 1 });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    s = (await stats(server))['pmg-hang'];
    while (s && s.inFlight > 0) s = (await stats(server))['pmg-hang'];
    expect(s).toEqual({ requests: 1, apiRequests: 1, inFlight: 0, maxConcurrent: 1 });
  });

  it('close() ends hung requests and releases the port', async () => {
    const server = await startFleetServer({ fleet: FLEET, port: 0, tls: false });
    const pending = fetch(`${server.url}/targets/pmg-hang/status`).catch((e: unknown) => e);
    let s = server.stats().targets['pmg-hang'];
    while (s && s.inFlight < 1) {
      await new Promise((r) => setImmediate(r));
      s = server.stats().targets['pmg-hang'];
    }
    await server.close();
    await server.close(); // idempotent
    expect(await pending).toBeInstanceOf(Error);
    await expect(fetch(`${server.url}/stats`)).rejects.toThrow();
    // The same port can be bound again at once.
    const again = await startFleetServer({ fleet: FLEET, port: server.port, tls: false });
    expect(again.port).toBe(server.port);
    await again.close();
    await new Promise<void>((resolve, reject) => {
      const probe = createServer();
      probe.once('error', reject);
      probe.listen(server.port, '127.0.0.1', () => probe.close(() => resolve()));
    });
  });
});
