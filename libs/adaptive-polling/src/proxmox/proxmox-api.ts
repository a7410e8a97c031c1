import type { Agent } from 'node:https';
import { describeError } from '../core/redact';
import { httpsRequest, pollAgent, type HttpsAnswer } from './https-request';
import type { ProxmoxConnection } from './connection';
import { ProxmoxHttpError, ProxmoxRequestError, ProxmoxResponseValidationError } from './proxmox-errors';
import type { PmgTicketStore } from './pmg-tickets';

/**
 * GETs from a Proxmox API (`<baseUrl>/api2/json/<path>`), unwrapping the `{"data": ...}`
 * envelope every Proxmox product answers with. Token auth sends the Authorization
 * header; PMG's ticket auth logs in first (`POST /api2/json/access/ticket`), then sends
 * the `PMGAuthCookie` cookie (and `CSRFPreventionToken` on writes, which the pollers
 * never do). One instance serves one poll: its requests share one connection, which
 * `close()` ends.
 */
export class ProxmoxApi {
  private agent: Agent | null = null;

  constructor(
    private readonly connection: ProxmoxConnection,
    /** Where PMG tickets live between polls, keyed by `ticketKey`. */
    private readonly tickets: PmgTicketStore | null,
    private readonly ticketKey: string,
    private readonly signal: AbortSignal | undefined,
  ) {}

  async get<T>(path: string): Promise<T> {
    const { auth } = this.connection;
    if (auth.kind === 'token') return this.send<T>('GET', path, { authorization: auth.authorization });
    let ticket = this.tickets?.usable(this.ticketKey) ?? null;
    const fresh = ticket === null;
    ticket ??= await this.login();
    try {
      return await this.send<T>('GET', path, { cookie: `PMGAuthCookie=${ticket.ticket}` });
    } catch (error) {
      // A ticket PMG no longer takes (restart, clock skew): log in again once.
      if (fresh || !(error instanceof ProxmoxHttpError) || error.statusCode !== 401) throw error;
      this.tickets?.drop(this.ticketKey);
      const renewed = await this.login();
      return this.send<T>('GET', path, { cookie: `PMGAuthCookie=${renewed.ticket}` });
    }
  }

  /** Ends the poll's connection (call when the poll is done, failed or not). */
  close(): void {
    this.agent?.destroy();
    this.agent = null;
  }

  private async login() {
    const { auth } = this.connection;
    if (auth.kind !== 'ticket') throw new Error('login is for ticket auth only');
    const body = new URLSearchParams({ username: auth.username, password: auth.password }).toString();
    const data = await this.send<{ ticket?: unknown; CSRFPreventionToken?: unknown }>(
      'POST',
      'access/ticket',
      {
        'content-type': 'application/x-www-form-urlencoded',
      },
      body,
    );
    if (typeof data?.ticket !== 'string' || typeof data.CSRFPreventionToken !== 'string') {
      throw new ProxmoxResponseValidationError(`${this.connection.product} POST access/ticket: the answer holds no ticket`);
    }
    const ticket = { ticket: data.ticket, csrfPreventionToken: data.CSRFPreventionToken, obtainedAtMs: this.tickets?.now() ?? Date.now() };
    this.tickets?.store(this.ticketKey, ticket);
    return ticket;
  }

  private async send<T>(method: 'GET' | 'POST', path: string, headers: Record<string, string>, body?: string): Promise<T> {
    const url = new URL(`api2/json/${path}`, this.connection.baseUrl);
    const what = `${this.connection.product} ${method} ${url.pathname}`;
    let answer: HttpsAnswer;
    try {
      this.agent ??= pollAgent(this.connection.tls);
      answer = await httpsRequest({ url, method, headers, body, signal: this.signal, agent: this.agent });
    } catch (error) {
      // Abort/timeout errors keep their own name so the classifier sees them as such.
      if (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError')) throw error;
      throw new ProxmoxRequestError(`${what}: ${describeError(error)}`, { cause: error });
    }
    if (answer.status < 200 || answer.status > 299) {
      // Proxmox puts the reason in the status line ("401 authentication failure"); the body may echo input, so it is left out.
      throw new ProxmoxHttpError(`${what}: HTTP ${answer.status} ${answer.statusMessage}`.trim(), answer.status, answer.headers);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(answer.body);
    } catch {
      throw new ProxmoxResponseValidationError(`${what}: the answer is not JSON`);
    }
    if (typeof parsed !== 'object' || parsed === null || !('data' in parsed)) {
      throw new ProxmoxResponseValidationError(`${what}: the answer has no "data" envelope`);
    }
    return (parsed as { data: T }).data;
  }
}
