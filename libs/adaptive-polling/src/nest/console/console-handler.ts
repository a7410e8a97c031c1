import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpException } from '@nestjs/common';
import type { Clock } from '../../core/types';
import type { AuditTrailService } from '../audit/audit-trail.service';
import type { MonitoringActionsService } from '../api/monitoring-actions.service';
import type { TargetsService } from '../api/targets.service';
import { presentedSecret, type BoardAccess } from '../bull-board/bull-board-auth';
import { boardTooManyFailures } from '../bull-board/bull-board-messages';
import { clientAddress } from '../client-address';
import { isConsoleAction, runConsoleAction } from './console-actions';
import { fleetPage, fleetQueryOf } from './console-fleet';
import { crossSite, isHttps, readFields, redirect, send, sendHtml, sendJson } from './console-http';
import type { ConsoleLive } from './console-live';
import {
  CONSOLE_CSRF_REFUSED,
  CONSOLE_LOGIN_FAILED,
  CONSOLE_NOT_FOUND,
  CONSOLE_UNAUTHORIZED,
  CONSOLE_UNKNOWN_ACTION,
} from './console-messages';
import type { ResolvedConsoleOptions } from './console-options';
import * as pages from './console-pages';
import {
  clearedSessionCookie,
  cookieValue,
  csrfMatches,
  SESSION_COOKIE,
  sessionCookie,
  type ConsoleSession,
  type ConsoleSessionStore,
} from './console-session';
import type { FleetReader } from './fleet-reader';
import { historyChartSvg } from './history-chart';
import type { PollHistoryStore } from './poll-history';

export interface ConsoleDependencies {
  options: ResolvedConsoleOptions;
  access: BoardAccess;
  sessions: ConsoleSessionStore;
  reader: FleetReader;
  live: ConsoleLive;
  history: PollHistoryStore;
  actions: MonitoringActionsService;
  targets: TargetsService;
  audit: AuditTrailService;
  clock: Clock;
}

/** Who is asking: from the session cookie, or HTTP Basic (then without a session until a page makes one). */
interface Caller {
  actor: string;
  session: ConsoleSession | null;
}

const ACTOR_BASIC = 'operator:token';
const ACTOR_CONSOLE = 'operator:console';
const ASSETS: Record<string, string> = { 'console.js': 'text/javascript; charset=utf-8', 'console.css': 'text/css; charset=utf-8' };
const AUDITED_FOR_TARGET = 50;

type Next = (error?: unknown) => void;
type Request = IncomingMessage & { body?: unknown; ip?: string };

/**
 * The console's one request handler, mounted at the console path (Express
 * strips the path from `request.url`). Static assets are public; every
 * page, JSON route and the event stream needs a session or HTTP Basic;
 * every POST needs the session's CSRF token and a same-origin request.
 */
export class ConsoleHandler {
  private readonly assets = new Map<string, string>();

  constructor(private readonly deps: ConsoleDependencies) {
    for (const name of Object.keys(ASSETS)) this.assets.set(name, readFileSync(join(__dirname, 'assets', name), 'utf8'));
  }

  readonly handle = (request: Request, response: ServerResponse, next: Next): void => {
    this.route(request, response).catch((error: unknown) => {
      if (response.headersSent) response.end();
      else next(error);
    });
  };

  private async route(request: Request, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://console');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const method = request.method ?? 'GET';
    const base = this.deps.options.path;

    if (method === 'GET' && path.startsWith('/assets/')) return this.asset(response, path.slice('/assets/'.length));
    // An address over the failure limit (shared with the API's routes) gets 429 for any token it
    // presents, the right one included: a right guess must look like a wrong one.
    const { access } = this.deps;
    const presentsToken = request.headers.authorization !== undefined || (path === '/login' && method === 'POST');
    const waitMs = access.kind === 'secret' && presentsToken ? access.failures.retryAfterMs(clientAddress(request)) : 0;
    if (waitMs > 0) {
      const seconds = Math.ceil(waitMs / 1000);
      return send(response, 429, 'text/plain; charset=utf-8', boardTooManyFailures(seconds), { 'Retry-After': String(seconds) });
    }
    if (path === '/login') {
      if (method === 'POST') return this.login(request, response);
      return sendHtml(response, 200, pages.loginPage(base, null));
    }

    const caller = await this.caller(request);
    const json = path.startsWith('/api/') || path === '/events';
    if (caller === null) {
      if (path === '/basic' || request.headers.authorization !== undefined) {
        return send(response, 401, 'text/plain; charset=utf-8', `${CONSOLE_UNAUTHORIZED}\n`, {
          'WWW-Authenticate': 'Basic realm="Adaptive polling console", charset="UTF-8"',
        });
      }
      if (json || method !== 'GET') return sendJson(response, 401, { statusCode: 401, message: CONSOLE_UNAUTHORIZED });
      return redirect(response, `${base}/login`);
    }

    if (method === 'POST') {
      if (caller.session === null || crossSite(request)) return this.refuse(response);
      const fields = await readFields(request);
      const presented = request.headers['x-csrf-token'] ?? fields.csrf;
      if (!csrfMatches(caller.session, typeof presented === 'string' ? presented : undefined)) return this.refuse(response);
      if (path === '/logout') return this.logout(request, response);
      if (path === '/api/action') return this.action(response, caller, fields);
      return sendJson(response, 404, { statusCode: 404, message: CONSOLE_NOT_FOUND });
    }
    if (method !== 'GET') return sendJson(response, 405, { statusCode: 405, message: 'Method not allowed' });

    switch (path) {
      case '/':
      case '/basic':
        return this.page(request, response, caller, (csrf) => pages.fleetPage(base, csrf), path === '/basic');
      case '/target': {
        const key = url.searchParams.get('key') ?? '';
        return this.page(request, response, caller, (csrf) => pages.targetPage(base, csrf, key));
      }
      case '/api/fleet': {
        const rows = await this.deps.reader.read();
        return sendJson(response, 200, fleetPage(rows.rows, fleetQueryOf(url.searchParams), rows.summary));
      }
      case '/api/target':
        return this.target(response, url.searchParams.get('key') ?? '');
      case '/events':
        return this.deps.live.open(response, new Set(url.searchParams.getAll('key').slice(0, 500)));
      default:
        return sendJson(response, 404, { statusCode: 404, message: CONSOLE_NOT_FOUND });
    }
  }

  private asset(response: ServerResponse, name: string): void {
    const text = this.assets.get(name);
    if (text === undefined) return sendJson(response, 404, { statusCode: 404, message: CONSOLE_NOT_FOUND });
    send(response, 200, ASSETS[name], text, { 'Cache-Control': 'no-cache' });
  }

  private async caller(request: Request): Promise<Caller | null> {
    const session = await this.deps.sessions.read(cookieValue(request.headers.cookie, SESSION_COOKIE));
    if (session) return { actor: session.actor, session };
    const { access } = this.deps;
    if (access.kind === 'open') return { actor: ACTOR_CONSOLE, session: null };
    const secret = presentedSecret(request.headers.authorization);
    if (secret !== null && access.matches(secret)) return { actor: ACTOR_BASIC, session: null };
    if (request.headers.authorization !== undefined) access.failures.recordFailure(clientAddress(request));
    return null;
  }

  /** A page for a caller; one signed in with HTTP Basic gets a session here, for the CSRF token its actions need. */
  private async page(
    request: Request,
    response: ServerResponse,
    caller: Caller,
    html: (csrf: string) => string,
    toFleet = false,
  ): Promise<void> {
    let { session } = caller;
    const headers: Record<string, string> = {};
    if (session === null) {
      const created = await this.deps.sessions.create(caller.actor, this.deps.clock());
      session = created.session;
      headers['Set-Cookie'] = this.cookie(request, created.id);
    }
    if (toFleet) return redirect(response, `${this.deps.options.path}/`, headers);
    sendHtml(response, 200, html(session.csrf), headers);
  }

  private async login(request: Request, response: ServerResponse): Promise<void> {
    const base = this.deps.options.path;
    if (crossSite(request)) return this.refuse(response);
    const fields = await readFields(request);
    const { access } = this.deps;
    const token = typeof fields.token === 'string' ? fields.token : '';
    if (access.kind === 'secret' && !access.matches(token)) {
      access.failures.recordFailure(clientAddress(request));
      return sendHtml(response, 401, pages.loginPage(base, CONSOLE_LOGIN_FAILED));
    }
    const { id } = await this.deps.sessions.create(ACTOR_CONSOLE, this.deps.clock());
    redirect(response, `${base}/`, { 'Set-Cookie': this.cookie(request, id) });
  }

  private async logout(request: Request, response: ServerResponse): Promise<void> {
    await this.deps.sessions.destroy(cookieValue(request.headers.cookie, SESSION_COOKIE));
    const path = this.deps.options.path || '/';
    redirect(response, `${this.deps.options.path}/login`, { 'Set-Cookie': clearedSessionCookie(path) });
  }

  private async action(response: ServerResponse, caller: Caller, fields: Record<string, unknown>): Promise<void> {
    const { action, key } = fields;
    if (!isConsoleAction(action) || typeof key !== 'string') {
      return sendJson(response, 400, { statusCode: 400, message: CONSOLE_UNKNOWN_ACTION });
    }
    try {
      const result = await runConsoleAction(action, key, caller.actor, this.deps);
      sendJson(response, 200, result);
    } catch (error) {
      if (!(error instanceof HttpException)) throw error;
      sendJson(response, error.getStatus(), error.getResponse());
    }
  }

  private async target(response: ServerResponse, key: string): Promise<void> {
    const { reader, history, audit, clock, options } = this.deps;
    const rows = await reader.read();
    const row = rows.byKey.get(key);
    if (!row) return sendJson(response, 404, { statusCode: 404, message: CONSOLE_NOT_FOUND });
    const now = clock();
    const points = (await history.read(key)).filter((p) => p.at >= now - options.historyWindowMs);
    const records = audit
      .recent(Number.MAX_SAFE_INTEGER)
      .filter((r) => r.target === key)
      .slice(-AUDITED_FOR_TARGET)
      .reverse()
      .map((r) => ({ at: new Date(r.atMs).toISOString(), action: r.action, actor: r.actor, detail: r.detail }));
    sendJson(response, 200, { row, history: points, chart: historyChartSvg(points, now, options.historyWindowMs), audit: records });
  }

  private refuse(response: ServerResponse): void {
    sendJson(response, 403, { statusCode: 403, message: CONSOLE_CSRF_REFUSED });
  }

  private cookie(request: Request, id: string): string {
    return sessionCookie(id, this.deps.options.path || '/', this.deps.sessions.ttlMs, isHttps(request));
  }
}
