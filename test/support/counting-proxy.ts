import { createServer as createHttpServer, request as httpRequest, type IncomingMessage, type RequestListener } from 'node:http';
import { Agent as HttpsAgent, createServer as createHttpsServer, request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';

/**
 * A pass-through proxy in front of the fleet simulator, one per demo
 * process, so a test knows which process had which target in flight (the
 * simulator alone sees only anonymous requests). In front of the HTTPS
 * simulator it serves HTTPS with the simulator's own certificate, so a demo
 * pinning the simulator's fingerprint accepts it.
 */
export interface CountingProxy {
  url: string;
  /** Target names with a request in flight through this proxy right now. */
  inFlightTargets(): string[];
  close(): Promise<void>;
}

/** The simulator's certificate and key (RunningFleetServer.tls). */
export interface ProxyCertificate {
  keyPem: string;
  certPem: string;
}

function targetOf(req: IncomingMessage): string | null {
  const match = /^\/targets\/([^/]+)\/(status|api2\/)/.exec(req.url ?? '');
  return match ? decodeURIComponent(match[1]) : null;
}

export async function startCountingProxy(upstreamUrl: string, certificate: ProxyCertificate | null = null): Promise<CountingProxy> {
  const upstream = new URL(upstreamUrl);
  const secure = upstream.protocol === 'https:';
  if (secure && certificate === null) throw new Error('an HTTPS upstream needs its certificate, to serve it on');
  const inFlight = new Map<string, number>();
  // Kept-alive upstream connections: the demo's side of the proxy is what a test measures.
  const upstreamAgent = secure ? new HttpsAgent({ keepAlive: true, ca: certificate!.certPem }) : null;
  const listener: RequestListener = (req, res) => {
    const target = targetOf(req);
    if (target) inFlight.set(target, (inFlight.get(target) ?? 0) + 1);
    let done = false;
    const finish = () => {
      if (done || !target) return;
      done = true;
      inFlight.set(target, (inFlight.get(target) ?? 1) - 1);
    };
    const options = { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers };
    const onAnswer = (upstreamRes: IncomingMessage) => {
      res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.statusMessage, upstreamRes.headers);
      upstreamRes.pipe(res);
    };
    const forward = secure ? httpsRequest({ ...options, agent: upstreamAgent! }, onAnswer) : httpRequest(options, onAnswer);
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
  return {
    url: `${secure ? 'https' : 'http'}://127.0.0.1:${port}`,
    inFlightTargets: () => [...inFlight].filter(([, n]) => n > 0).map(([name]) => name),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        upstreamAgent?.destroy();
        server.close(() => resolve());
      }),
  };
}
