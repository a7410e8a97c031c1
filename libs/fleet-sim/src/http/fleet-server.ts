import { createServer as createHttpServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { TargetBehaviour } from '../behaviour';
import { isProxmoxType, ProxmoxBodyModel } from '../bodies/body-model';
import { expandFleet, type FleetFile, type FleetTarget } from '../fleet-file';
import { answerGet, authorized, login, POLL_START_PATHS, TicketBook, type RouteAnswer } from './proxmox-routes';
import { makeSelfSignedCertificate, type SelfSignedCertificate } from './self-signed-certificate';

/**
 * The HTTP fleet simulator: a plain node:https server (no Nest; node:http with
 * `tls: false`) with a self-signed certificate made at start, serving every
 * expanded target of a fleet file with the shared behaviour model
 * (../behaviour.ts) in real time since the server started:
 *
 * - pve, pbs and pmg targets answer the Proxmox API under
 *   `/targets/<name>/api2/json/...` (so a target's base URL is
 *   `<url>/targets/<name>`): the same paths, the `{"data": ...}` envelope, token
 *   auth (PVE, PBS) or ticket auth (PMG), realistic bodies (../bodies/);
 * - every target also answers `GET /targets/<name>/status` with its plain data JSON.
 *
 * Behaviours, on every path of a target:
 *
 * - 200 with the target's data JSON (`version` and `value` change at the
 *   target's change times);
 * - while down: the socket is destroyed without an answer (clients see
 *   ECONNRESET / "socket hang up");
 * - `hang`: never answers; the request ends when the client aborts;
 * - 401 when unauthorized; 503 at `failureRate` (no Retry-After, so it
 *   counts as a failure);
 * - `latencyMs` delays every answer.
 *
 * Also:
 * - `GET /targets` -> `{"targets":[{"name","entry","type","displayName"}]}`
 * - `GET /stats` -> `{"targets":{"<name>":{"requests":N,"apiRequests":N,"inFlight":N,"maxConcurrent":N}}}`
 *   (`requests` counts polls: the first request of each, see TargetRequestStats)
 * - `POST /stats/reset` zeroes the counts and sets `maxConcurrent` to the
 *   current `inFlight`.
 */

export interface FleetServerOptions {
  /** The fleet, as parsed from a fleet file, or already expanded targets. */
  fleet: FleetFile | FleetTarget[];
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Seed of the behaviour model (default 1). */
  seed?: number;
  /** Milliseconds since simulator start; defaults to real (monotonic) time since the server started. */
  clock?: () => number;
  /** HTTPS with a self-signed certificate made at start (default true); false serves plain HTTP. */
  tls?: boolean;
}

export interface TargetRequestStats {
  /**
   * Polls: requests that start one (a Proxmox poller's first path, see POLL_START_PATHS,
   * a PMG ticket login, or GET /status), so a poll of several requests counts once.
   */
  requests: number;
  /** Every request to the target. */
  apiRequests: number;
  inFlight: number;
  maxConcurrent: number;
}

export interface FleetServerStats {
  targets: Record<string, TargetRequestStats>;
  /** TCP connections accepted since the start (each one a TLS handshake when serving HTTPS). */
  connections: number;
  /** TCP connections open now. */
  openConnections: number;
}

export interface RunningFleetServer {
  /** e.g. `https://127.0.0.1:4000` (no trailing slash). */
  url: string;
  /** The certificate (and key, for a test proxy in front) when serving HTTPS. */
  tls: SelfSignedCertificate | null;
  /** A target's base URL for the pollers: `<url>/targets/<name>`. */
  targetUrl(name: string): string;
  port: number;
  host: string;
  targets: FleetTarget[];
  /** Current counters (the same object `GET /stats` serves). */
  stats(): FleetServerStats;
  /** Stops listening, drops open connections (hung requests included) and releases the port. */
  close(): Promise<void>;
}

/** A Proxmox answer: `{"data": ...}` on 200; otherwise the reason in the status line, `{"data": null}` as pveproxy does. */
function sendProxmox(res: ServerResponse, answer: RouteAnswer): void {
  if (answer.status === 200) {
    sendJson(res, 200, { data: (answer as { data: unknown }).data });
    return;
  }
  const text = JSON.stringify({ data: null });
  res.writeHead(answer.status, (answer as { reason: string }).reason, {
    'content-type': 'application/json;charset=UTF-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

export async function startFleetServer(options: FleetServerOptions): Promise<RunningFleetServer> {
  const targets = Array.isArray(options.fleet) ? options.fleet : expandFleet(options.fleet);
  const seed = options.seed ?? 1;
  const host = options.host ?? '127.0.0.1';
  const startedAt = performance.now();
  const clock = options.clock ?? (() => performance.now() - startedAt);

  const behaviours = new Map(targets.map((t) => [t.name, new TargetBehaviour(t, seed)]));
  const bodies = new Map(targets.filter((t) => isProxmoxType(t.type)).map((t) => [t.name, new ProxmoxBodyModel(t, seed)]));
  const tickets = new TicketBook();
  const certificate = options.tls === false ? null : makeSelfSignedCertificate();
  const counters = new Map<string, TargetRequestStats>(
    targets.map((t) => [t.name, { requests: 0, apiRequests: 0, inFlight: 0, maxConcurrent: 0 }]),
  );
  const timers = new Set<NodeJS.Timeout>();

  let connections = 0;
  let openConnections = 0;
  const snapshot = (): FleetServerStats => {
    const out: Record<string, TargetRequestStats> = {};
    for (const [name, c] of counters) out[name] = { ...c };
    return { targets: out, connections, openConnections };
  };

  /** `apiPath` null: the plain `/status` route; else the Proxmox path after `api2/json/`. */
  const serveTarget = (
    name: string,
    apiPath: string | null,
    query: URLSearchParams,
    req: IncomingMessage,
    res: ServerResponse,
    form: URLSearchParams | null,
  ): void => {
    const behaviour = behaviours.get(name);
    const counter = counters.get(name);
    const body = bodies.get(name);
    if (!behaviour || !counter || (apiPath !== null && !body)) {
      sendJson(res, 404, { error: apiPath === null ? `unknown target "${name}"` : `no Proxmox API for target "${name}"` });
      return;
    }
    const startsPoll =
      apiPath === null || apiPath === 'access/ticket' || apiPath === POLL_START_PATHS[body!.target.type as keyof typeof POLL_START_PATHS];
    if (startsPoll) counter.requests += 1;
    counter.apiRequests += 1;
    counter.inFlight += 1;
    counter.maxConcurrent = Math.max(counter.maxConcurrent, counter.inFlight);
    let finished = false;
    let timer: NodeJS.Timeout | null = null;
    const finish = () => {
      if (finished) return;
      finished = true;
      counter.inFlight -= 1;
      if (timer) {
        clearTimeout(timer);
        timers.delete(timer);
      }
    };
    res.on('close', finish);

    const answer = behaviour.answerAt(clock());
    switch (answer.kind) {
      case 'refused':
        // Down: drop the connection without an answer.
        finish();
        req.socket.destroy();
        return;
      case 'hang':
        // Never answer; `finish` runs when the client gives up (or on close()).
        return;
      default: {
        const respond = () => {
          if (timer) timers.delete(timer);
          timer = null;
          if (finished || res.destroyed) return;
          if (apiPath !== null) {
            sendProxmox(res, proxmoxAnswer(name, behaviour, body!, apiPath, query, req, form, answer.kind));
          } else if (answer.kind === 'unauthorized') {
            sendJson(res, 401, { error: 'unauthorized', target: name }, { 'www-authenticate': 'PVEAPIToken' });
          } else if (answer.kind === 'unavailable') {
            sendJson(res, 503, { error: 'service unavailable', target: name });
          } else {
            sendJson(res, 200, behaviour.dataAt(clock()));
          }
        };
        if (answer.latencyMs > 0) {
          timer = setTimeout(respond, answer.latencyMs);
          timers.add(timer);
        } else {
          respond();
        }
      }
    }
  };

  const proxmoxAnswer = (
    name: string,
    behaviour: TargetBehaviour,
    body: ProxmoxBodyModel,
    apiPath: string,
    query: URLSearchParams,
    req: IncomingMessage,
    form: URLSearchParams | null,
    kind: 'ok' | 'unauthorized' | 'unavailable',
  ): RouteAnswer => {
    const type = body.target.type as 'pve' | 'pbs' | 'pmg';
    const now = clock();
    if (kind === 'unauthorized') return { status: 401, reason: 'authentication failure' };
    if (type === 'pmg' && apiPath === 'access/ticket') {
      if (req.method !== 'POST') return { status: 501, reason: `Method 'GET /access/ticket' not implemented` };
      if (kind === 'unavailable') return { status: 503, reason: 'service unavailable' };
      return login(name, form ?? new URLSearchParams(), tickets, now);
    }
    if (!authorized(type, name, req, tickets, now)) return { status: 401, reason: type === 'pmg' ? 'No ticket' : 'authentication failure' };
    if (kind === 'unavailable') return { status: 503, reason: 'service unavailable' };
    if (req.method !== 'GET') return { status: 501, reason: `Method '${req.method} /${apiPath}' not implemented` };
    return answerGet(body, apiPath, query, behaviour.versionAt(now), now);
  };

  const listener: RequestListener = (req, res) => {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const method = req.method ?? 'GET';
    const status = /^\/targets\/([^/]+)\/(status|api2\/json\/(.+))$/.exec(path);
    if (status && (method === 'GET' || method === 'HEAD' || (method === 'POST' && status[3] !== undefined))) {
      let name: string;
      try {
        name = decodeURIComponent(status[1]);
      } catch {
        sendJson(res, 400, { error: 'bad target name' });
        return;
      }
      const apiPath = status[3] ?? null;
      if (method !== 'POST') {
        serveTarget(name, apiPath, url.searchParams, req, res, null);
        return;
      }
      // A POST (PMG's ticket login) carries a form: read it before answering.
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () =>
        serveTarget(name, apiPath, url.searchParams, req, res, new URLSearchParams(Buffer.concat(chunks).toString('utf8'))),
      );
      return;
    }
    if (path === '/targets' && method === 'GET') {
      sendJson(res, 200, {
        targets: targets.map((t) => ({ name: t.name, entry: t.entry, type: t.type, displayName: t.displayName })),
      });
      return;
    }
    if (path === '/stats' && method === 'GET') {
      sendJson(res, 200, snapshot());
      return;
    }
    if (path === '/stats/reset' && method === 'POST') {
      for (const c of counters.values()) {
        c.requests = 0;
        c.apiRequests = 0;
        c.maxConcurrent = c.inFlight;
      }
      sendJson(res, 200, { reset: true });
      return;
    }
    sendJson(res, 404, {
      error: `no route ${method} ${path}`,
      routes: ['GET /targets', 'GET /targets/<name>/status', 'GET|POST /targets/<name>/api2/json/...', 'GET /stats', 'POST /stats/reset'],
    });
  };
  const server =
    certificate === null ? createHttpServer(listener) : createHttpsServer({ key: certificate.keyPem, cert: certificate.certPem }, listener);
  server.on('connection', (socket: Socket) => {
    connections += 1;
    openConnections += 1;
    socket.once('close', () => (openConnections -= 1));
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  let closing: Promise<void> | null = null;
  const url = `${certificate === null ? 'http' : 'https'}://${urlHost}:${port}`;
  return {
    url,
    tls: certificate,
    targetUrl: (name) => `${url}/targets/${encodeURIComponent(name)}`,
    port,
    host,
    targets,
    stats: snapshot,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
