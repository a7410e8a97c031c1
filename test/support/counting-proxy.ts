import {
  Agent as HttpAgent,
  createServer as createHttpServer,
  request as httpRequest,
  type IncomingMessage,
  type RequestListener,
} from 'node:http';
import { Agent as HttpsAgent, createServer as createHttpsServer, request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { processHoldsSocket, socketInode } from './socket-owner';

/**
 * A pass-through proxy in front of the fleet simulator, shared by the demo
 * processes of a test, so the test knows which process has which target in
 * flight (the simulator alone sees only anonymous requests). The processes
 * share one target registry in Redis, so every one of them polls through the
 * URL the first one registered: requests are told apart by the process that
 * holds the client end of the connection. In front of the HTTPS simulator it
 * serves HTTPS with the simulator's own certificate, so a demo pinning the
 * simulator's fingerprint accepts it.
 */
export interface CountingProxy {
  url: string;
  /** Target names with a request in flight right now, from process `pid` only when given. */
  inFlightTargets(pid?: number): string[];
  close(): Promise<void>;
}

/** The simulator's certificate and key (RunningFleetServer.tls). */
export interface ProxyCertificate {
  keyPem: string;
  certPem: string;
}

/** Upstream sockets idle this long are closed by the proxy, before the simulator's 5 s keep-alive timeout can race a request. */
const UPSTREAM_IDLE_MS = 2_000;

function targetOf(req: IncomingMessage): string | null {
  const match = /^\/targets\/([^/]+)\/(status|api2\/)/.exec(req.url ?? '');
  return match ? decodeURIComponent(match[1]) : null;
}

export async function startCountingProxy(upstreamUrl: string, certificate: ProxyCertificate | null = null): Promise<CountingProxy> {
  const upstream = new URL(upstreamUrl);
  const secure = upstream.protocol === 'https:';
  if (secure && certificate === null) throw new Error('an HTTPS upstream needs its certificate, to serve it on');
  const inFlight = new Map<IncomingMessage, { target: string; clientPort: number }>();
  // Kept-alive upstream connections (a TLS handshake per request would make the proxy the bottleneck).
  const upstreamAgent = secure
    ? new HttpsAgent({ keepAlive: true, timeout: UPSTREAM_IDLE_MS, ca: certificate!.certPem })
    : new HttpAgent({ keepAlive: true, timeout: UPSTREAM_IDLE_MS });
  const listener: RequestListener = (req, res) => {
    const target = targetOf(req);
    if (target) inFlight.set(req, { target, clientPort: req.socket.remotePort ?? 0 });
    const finish = () => inFlight.delete(req);
    const options = { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers };
    const onAnswer = (upstreamRes: IncomingMessage) => {
      res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.statusMessage, upstreamRes.headers);
      upstreamRes.pipe(res);
    };
    const forward = secure
      ? httpsRequest({ ...options, agent: upstreamAgent as HttpsAgent }, onAnswer)
      : httpRequest({ ...options, agent: upstreamAgent }, onAnswer);
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
  };
  const server = secure
    ? createHttpsServer({ key: certificate!.keyPem, cert: certificate!.certPem }, listener)
    : createHttpServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const fromProcess = (clientPort: number, pid: number) => {
    const inode = socketInode(clientPort, port);
    return inode !== null && processHoldsSocket(pid, inode);
  };
  return {
    url: `${secure ? 'https' : 'http'}://127.0.0.1:${port}`,
    inFlightTargets: (pid) => [
      ...new Set([...inFlight.values()].filter((r) => pid === undefined || fromProcess(r.clientPort, pid)).map((r) => r.target)),
    ],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        upstreamAgent.destroy();
        server.close(() => resolve());
      }),
  };
}
