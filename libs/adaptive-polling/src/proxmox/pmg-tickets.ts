/**
 * PMG tickets per target, kept by the poller instance (no module-level state). A ticket
 * lives 2 hours (PMG's auth cookie lifetime); it is renewed once it is older than
 * `renewAfterMs` (default 90 min, as the Pulse seed's pkg/pmg/client.go does), and
 * dropped at once when PMG answers 401 to it.
 */
export interface PmgTicket {
  ticket: string;
  csrfPreventionToken: string;
  obtainedAtMs: number;
}

export const PMG_TICKET_LIFETIME_MS = 2 * 3600_000;
export const PMG_TICKET_RENEW_AFTER_MS = 90 * 60_000;

export class PmgTicketStore {
  private readonly tickets = new Map<string, PmgTicket>();

  constructor(
    private readonly clock: () => number = Date.now,
    private readonly renewAfterMs: number = PMG_TICKET_RENEW_AFTER_MS,
  ) {}

  now(): number {
    return this.clock();
  }

  /** A ticket still fresh enough to use, or null. */
  usable(key: string): PmgTicket | null {
    const ticket = this.tickets.get(key);
    if (ticket === undefined) return null;
    if (this.clock() - ticket.obtainedAtMs >= this.renewAfterMs) {
      this.tickets.delete(key);
      return null;
    }
    return ticket;
  }

  store(key: string, ticket: PmgTicket): void {
    this.tickets.set(key, ticket);
  }

  drop(key: string): void {
    this.tickets.delete(key);
  }
}
