import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { ProxmoxBodyModel, ProxmoxType } from '../bodies/body-model';

/**
 * The Proxmox API paths the simulator answers under `/targets/<name>/api2/json/`, with
 * the auth each product uses. A route returns the `data` of the `{"data": ...}` envelope,
 * or a status with the reason Proxmox would put in its status line.
 */

export type RouteAnswer = { status: 200; data: unknown } | { status: number; reason: string };

/** The path whose request starts a poll of the ready-made pollers (counted as `requests`). */
export const POLL_START_PATHS: Readonly<Record<ProxmoxType, string>> = {
  pve: 'cluster/resources',
  pbs: 'status/datastore-usage',
  pmg: 'config/cluster/status',
};

/** `PVEAPIToken=user@realm!id=secret`; PBS separates the secret with `:`. */
const TOKEN_HEADER: Readonly<Record<'pve' | 'pbs', RegExp>> = {
  pve: /^PVEAPIToken=[^\s@!]+@[^\s@!]+![^\s=]+=\S+$/,
  pbs: /^PBSAPIToken=[^\s@!]+@[^\s@!]+![^\s:]+:\S+$/,
};

/** PMG tickets live two hours. */
export const PMG_TICKET_LIFETIME_MS = 2 * 3600_000;

/** Tickets issued by one simulator, per target: ticket -> issued at (simulator ms). */
export class TicketBook {
  private readonly issued = new Map<string, number>();

  issue(target: string, username: string, atMs: number): string {
    const ticket = `PMG:${username}:${Math.floor(atMs / 1000)
      .toString(16)
      .toUpperCase()}::${randomBytes(24).toString('base64')}`;
    this.issued.set(`${target} ${ticket}`, atMs);
    return ticket;
  }

  valid(target: string, ticket: string, atMs: number): boolean {
    const at = this.issued.get(`${target} ${ticket}`);
    return at !== undefined && atMs - at < PMG_TICKET_LIFETIME_MS;
  }
}

function cookie(req: IncomingMessage, name: string): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return null;
}

export function authorized(type: ProxmoxType, target: string, req: IncomingMessage, tickets: TicketBook, atMs: number): boolean {
  if (type === 'pmg') {
    const ticket = cookie(req, 'PMGAuthCookie');
    return ticket !== null && tickets.valid(target, ticket, atMs);
  }
  return TOKEN_HEADER[type].test(String(req.headers.authorization ?? ''));
}

/** A PMG login: any non-empty username and password get a ticket (the fleet's `unauthorized` refuses it earlier). */
export function login(target: string, form: URLSearchParams, tickets: TicketBook, atMs: number): RouteAnswer {
  const username = form.get('username') ?? '';
  if (username === '' || (form.get('password') ?? '') === '') return { status: 401, reason: 'authentication failure' };
  const ticket = tickets.issue(target, username, atMs);
  return { status: 200, data: { ticket, CSRFPreventionToken: randomBytes(16).toString('hex'), username } };
}

export function answerGet(model: ProxmoxBodyModel, path: string, query: URLSearchParams, version: number, atMs: number): RouteAnswer {
  const body = model.snapshotAt(version, atMs);
  switch (body.type) {
    case 'pve':
      if (path === 'cluster/resources') return { status: 200, data: body.snapshot.resources };
      if (path === 'cluster/status') return { status: 200, data: body.snapshot.clusterStatus };
      break;
    case 'pbs':
      if (path === 'status/datastore-usage') return { status: 200, data: body.snapshot.datastores };
      if (path === 'nodes/localhost/tasks') {
        const limit = Number(query.get('limit') ?? 50);
        return { status: 200, data: body.snapshot.tasks.slice(0, Number.isInteger(limit) && limit > 0 ? limit : 50) };
      }
      break;
    case 'pmg': {
      if (path === 'config/cluster/status') return { status: 200, data: body.snapshot.cluster };
      if (path === 'statistics/mail') return { status: 200, data: body.snapshot.statistics };
      const queue = /^nodes\/([^/]+)\/postfix\/queue$/.exec(path);
      if (queue) {
        const status = body.snapshot.queues[decodeURIComponent(queue[1])];
        return status === undefined ? { status: 500, reason: `no such node` } : { status: 200, data: status };
      }
      break;
    }
  }
  return { status: 501, reason: `Method 'GET /${path}' not implemented` };
}
