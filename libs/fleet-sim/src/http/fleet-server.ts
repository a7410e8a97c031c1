import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { TargetBehaviour } from '../behaviour';
import { expandFleet, type FleetFile, type FleetTarget } from '../fleet-file';

/**
 * The HTTP fleet simulator: a plain node:http server (no Nest) that serves
 * every expanded target of a fleet file at `GET /targets/<name>/status`, with
 * the shared behaviour model (../behaviour.ts) in real time since the server
 * started:
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
 * - `GET /stats` -> `{"targets":{"<name>":{"requests":N,"inFlight":N,"maxConcurrent":N}}}`
 * - `POST /stats/reset` zeroes `requests` and sets `maxConcurrent` to the
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
}

export interface TargetRequestStats {
  requests: number;
  inFlight: number;
  maxConcurrent: number;
}

export interface FleetServerStats {
  targets: Record<string, TargetRequestStats>;
}

export interface RunningFleetServer {
  /** e.g. `http://127.0.0.1:4000` (no trailing slash). */
  url: string;
  port: number;
  host: string;
  targets: FleetTarget[];
  /** Current counters (the same object `GET /stats` serves). */
  stats(): FleetServerStats;
  /** Stops listening, drops open connections (hung requests included) and releases the port. */
  close(): Promise<void>;
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
  const counters = new Map<string, TargetRequestStats>(
    targets.map((t) => [t.name, { requests: 0, inFlight: 0, maxConcurrent: 0 }]),
  );
  const timers = new Set<NodeJS.Timeout>();

  const snapshot = (): FleetServerStats => {
    const out: Record<string, TargetRequestStats> = {};
    for (const [name, c] of counters) out[name] = { ...c };
    return { targets: out };
  };

  const serveStatus = (name: string, req: IncomingMessage, res: ServerResponse): void => {
    const behaviour = behaviours.get(name);
    const counter = counters.get(name);
    if (!behaviour || !counter) {
      sendJson(res, 404, { error: `unknown target "${name}"` });
      return;
    }
    counter.requests += 1;
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
          if (answer.kind === 'unauthorized') {
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

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://simulator');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const method = req.method ?? 'GET';
    const status = /^\/targets\/([^/]+)\/status$/.exec(path);
    if (status && (method === 'GET' || method === 'HEAD')) {
      let name: string;
      try {
        name = decodeURIComponent(status[1] as string);
      } catch {
        sendJson(res, 400, { error: 'bad target name' });
        return;
      }
      serveStatus(name, req, res);
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
        c.maxConcurrent = c.inFlight;
      }
      sendJson(res, 200, { reset: true });
      return;
    }
    sendJson(res, 404, {
      error: `no route ${method} ${path}`,
      routes: ['GET /targets', 'GET /targets/<name>/status', 'GET /stats', 'POST /stats/reset'],
    });
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
  return {
    url: `http://${urlHost}:${port}`,
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
