import { Injectable } from '@nestjs/common';
import { PbsPoller, PermanentPollError, PmgPoller, PvePoller, TransientPollError, type PollContext } from 'nestjs-adaptive-polling';

/**
 * The demo's pollers: each asks the fleet simulator for one target's status
 * over real HTTP, with the poll's AbortSignal, and says how a failure should
 * be treated. A real app would call the Proxmox APIs here instead.
 */
@Injectable()
export class FleetPollers {
  @PvePoller()
  pollPve(context: PollContext): Promise<unknown> {
    return this.fetchStatus(context);
  }

  @PbsPoller()
  pollPbs(context: PollContext): Promise<unknown> {
    return this.fetchStatus(context);
  }

  @PmgPoller()
  pollPmg(context: PollContext): Promise<unknown> {
    return this.fetchStatus(context);
  }

  private async fetchStatus({ target, signal }: PollContext): Promise<unknown> {
    const baseUrl = String(target.connection.baseUrl);
    const response = await fetch(`${baseUrl}/targets/${encodeURIComponent(target.name)}/status`, {
      signal,
      headers: { authorization: `Bearer ${String(target.connection.token)}` },
    });
    if (response.status === 401 || response.status === 403) {
      throw new PermanentPollError(`${target.key}: the API refused our credentials (HTTP ${response.status})`, {
        statusCode: response.status,
      });
    }
    if (!response.ok) {
      const retryAfter = Number(response.headers.get('retry-after'));
      throw new TransientPollError(`${target.key}: HTTP ${response.status}`, {
        statusCode: response.status,
        retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
      });
    }
    return response.json();
  }
}
