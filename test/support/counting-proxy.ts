import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A pass-through HTTP proxy in front of the fleet simulator, one per demo
 * process, so a test knows which process had which target in flight (the
 * simulator alone sees only anonymous requests).
 */
export interface CountingProxy {
  url: string;
  /** Target names with a request in flight through this proxy right now. */
  inFlightTargets(): string[];
  close(): Promise<void>;
}

function targetOf(req: IncomingMessage): string | null {
  const match = /^\/targets\/([^/]+)\/status/.exec(req.url ?? '');
  return match ? decodeURIComponent(match[1]) : null;
}

export async function startCountingProxy(upstreamUrl: string): Promise<CountingProxy> {
  const upstream = new URL(upstreamUrl);
  const inFlight = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const target = targetOf(req);
    if (target) inFlight.set(target, (inFlight.get(target) ?? 0) + 1);
    let done = false;
    const finish = () => {
      if (done || !target) return;
      done = true;
      inFlight.set(target, (inFlight.get(target) ?? 1) - 1);
    };
    const forward = request(
      { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers },
      (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
      },
    );
    forward.on('error', () => {
      finish();
      res.socket?.destroy();
    });
    // The response closes when it is sent, or when the client went away
    // (an aborted poll): then drop the upstream request too.
    res.on('close', () => {
      if (!res.writableFinished) forward.destroy();
      finish();
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    inFlightTargets: () => [...inFlight].filter(([, n]) => n > 0).map(([name]) => name),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
