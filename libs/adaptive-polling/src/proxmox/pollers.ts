import { Inject, Injectable, Optional } from '@nestjs/common';
import type { PollContext } from '../engine/poll-handler';
import { PbsPoller, PmgPoller, PvePoller } from '../nest/poller.decorator';
import { proxmoxConnection, type ProxmoxProduct } from './connection';
import { fetchPbsSnapshot, pbsChangeSignal, type PbsSnapshot } from './pbs';
import { fetchPmgSnapshot, pmgChangeSignal, type PmgSnapshot } from './pmg';
import { PmgTicketStore } from './pmg-tickets';
import { ProxmoxApi } from './proxmox-api';
import { fetchPveSnapshot, pveChangeSignal, type PveSnapshot } from './pve';

/** Options of the ready-made pollers (all optional). */
export interface ProxmoxPollerOptions {
  /** Clock for PMG ticket renewal (tests). */
  clock?: () => number;
  /** Renew a PMG ticket once it is this old (default 90 min; tickets live 2 h). */
  pmgTicketRenewAfterMs?: number;
}

export const PROXMOX_POLLER_OPTIONS = Symbol('adaptive-polling:proxmox-poller-options');

/** The API client for one poll of one target; `close()` it when the poll is done. */
export function proxmoxApiFor(product: ProxmoxProduct, context: PollContext, tickets: PmgTicketStore | null = null): ProxmoxApi {
  const connection = proxmoxConnection(product, context.target);
  return new ProxmoxApi(connection, tickets, `${context.target.key} ${connection.baseUrl.href}`, context.signal);
}

async function withApi<T>(api: ProxmoxApi, fetch: (api: ProxmoxApi) => Promise<T>): Promise<T> {
  try {
    return await fetch(api);
  } finally {
    api.close();
  }
}

/** Polls Proxmox VE targets (type `pve`): cluster/resources + cluster/status. */
@Injectable()
export class PveClusterPoller {
  @PvePoller({ changeSignal: (result) => pveChangeSignal(result as PveSnapshot) })
  async poll(context: PollContext): Promise<PveSnapshot> {
    return withApi(proxmoxApiFor('pve', context), fetchPveSnapshot);
  }
}

/** Polls Proxmox Backup Server targets (type `pbs`): datastore usage + recent tasks. */
@Injectable()
export class PbsServerPoller {
  @PbsPoller({ changeSignal: (result) => pbsChangeSignal(result as PbsSnapshot) })
  async poll(context: PollContext): Promise<PbsSnapshot> {
    return withApi(proxmoxApiFor('pbs', context), fetchPbsSnapshot);
  }
}

/** Polls Proxmox Mail Gateway targets (type `pmg`): cluster members, postfix queues, mail statistics. */
@Injectable()
export class PmgGatewayPoller {
  /** Tickets of this app's PMG targets; one store per poller instance. */
  private readonly tickets: PmgTicketStore;

  constructor(@Optional() @Inject(PROXMOX_POLLER_OPTIONS) options: ProxmoxPollerOptions | null) {
    this.tickets = new PmgTicketStore(options?.clock, options?.pmgTicketRenewAfterMs);
  }

  @PmgPoller({ changeSignal: (result) => pmgChangeSignal(result as PmgSnapshot) })
  async poll(context: PollContext): Promise<PmgSnapshot> {
    return withApi(proxmoxApiFor('pmg', context, this.tickets), fetchPmgSnapshot);
  }
}
