import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { processHoldsSocket, socketInode } from './socket-owner';

/**
 * A pass-through HTTP proxy in front of the fleet simulator, shared by the
 * demo processes of a test, so the test knows which process has which target
 * in flight (the simulator alone sees only anonymous requests). The processes
 * share one target registry in Redis, so every one of them polls through the
 * URL the first one registered: requests are told apart by the process that
 * holds the client end of the connection.
 */
export interface CountingProxy {
  url: string;
  /** Target names with a request in flight right now, from process `pid` only when given. */
  inFlightTargets(pid?: number): string[];
  close(): Promise<void>;
}

function targetOf(req: IncomingMessage): string | null {
  const match = /^\/targets\/([^/]+)\/status/.exec(req.url ?? '');
  return match ? decodeURIComponent(match[1]) : null;
}

export async function startCountingProxy(upstreamUrl: string): Promise<CountingProxy> {
  const upstream = new URL(upstreamUrl);
  const inFlight = new Map<IncomingMessage, { target: string; clientPort: number }>();
  const server: Server = createServer((req, res) => {
    const target = targetOf(req);
    if (target) inFlight.set(req, { target, clientPort: req.socket.remotePort ?? 0 });
    const finish = () => inFlight.delete(req);
    const forward = request(
      // A new upstream connection per request: a kept-alive one can be closed by
      // the simulator's idle timeout just as a request goes out on it, which
      // would fail a poll for a reason the test is not about.
      { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers, agent: false },
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
  const fromProcess = (clientPort: number, pid: number) => {
    const inode = socketInode(clientPort, port);
    return inode !== null && processHoldsSocket(pid, inode);
  };
  return {
    url: `http://127.0.0.1:${port}`,
    inFlightTargets: (pid) => [
      ...new Set([...inFlight.values()].filter((r) => pid === undefined || fromProcess(r.clientPort, pid)).map((r) => r.target)),
    ],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
