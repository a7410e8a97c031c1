import type { ProxmoxApi } from './proxmox-api';
import { ProxmoxResponseValidationError } from './proxmox-errors';
import { countBand } from './usage-band';

/**
 * Proxmox Mail Gateway: what the ready-made poller reads, and its change signal.
 * Shapes as the Pulse seed's pkg/pmg/client.go reads them.
 *
 * Endpoints:
 * - `config/cluster/status?list_single_node=1`: the cluster members (name, type master /
 *   node, cid, ip, fingerprint); with `list_single_node` a stand-alone node lists itself;
 * - `nodes/<node>/postfix/queue` per member: the postfix queue sizes (active, deferred,
 *   hold, incoming);
 * - `statistics/mail`: today's mail counts (in/out, spam, virus, bounces, bytes).
 * Auth: a ticket (POST `access/ticket`), cookie `PMGAuthCookie`; see pmg-tickets.ts.
 */

export interface PmgClusterMember {
  cid: number;
  name: string;
  /** `master` or `node` in the sources; kept open for other values. */
  type: string;
  ip?: string;
  fingerprint?: string;
}

export interface PmgQueueStatus {
  active: number;
  deferred: number;
  hold: number;
  incoming: number;
  oldest_age?: number;
}

export interface PmgMailStatistics {
  count?: number;
  count_in?: number;
  count_out?: number;
  spamcount_in?: number;
  spamcount_out?: number;
  viruscount_in?: number;
  viruscount_out?: number;
  bounces_in?: number;
  bounces_out?: number;
  bytes_in?: number;
  bytes_out?: number;
  avptime?: number;
  [key: string]: unknown;
}

export interface PmgSnapshot {
  cluster: PmgClusterMember[];
  queues: Record<string, PmgQueueStatus>;
  statistics: PmgMailStatistics;
}

/** One path at a time (one open request per target, as for PVE and PBS). */
export async function fetchPmgSnapshot(api: ProxmoxApi): Promise<PmgSnapshot> {
  const cluster = await api.get<PmgClusterMember[]>('config/cluster/status?list_single_node=1');
  if (!Array.isArray(cluster)) throw new ProxmoxResponseValidationError('pmg: config/cluster/status must answer an array');
  const statistics = await api.get<PmgMailStatistics>('statistics/mail');
  const queues: Record<string, PmgQueueStatus> = {};
  for (const member of cluster) {
    queues[member.name] = await api.get<PmgQueueStatus>(`nodes/${encodeURIComponent(member.name)}/postfix/queue`);
  }
  return { cluster, queues, statistics };
}

/** Deferred / active queue bands: normal (a few mails), a backlog (100+), mail piling up (1000+). */
export const PMG_QUEUE_THRESHOLDS = [100, 1000] as const;

/**
 * The PMG change signal, sorted lines:
 * - member: name, role (master / node), cid: a node that joins or leaves, a master switch;
 * - queue per member: deferred and active as bands (100 / 1000), hold non-empty: the
 *   queue states an operator acts on, not the count moving by a few mails.
 * Dropped: every mail statistic (counts, bytes, spam, virus, bounces, processing time),
 * exact queue sizes, incoming, oldest_age.
 */
export function pmgChangeSignal(snapshot: PmgSnapshot): string {
  const lines: string[] = [];
  for (const m of snapshot.cluster) lines.push(`member|${m.name}|${m.type}|${m.cid}`);
  for (const [node, q] of Object.entries(snapshot.queues)) {
    lines.push(
      `queue|${node}|${countBand(q?.deferred, PMG_QUEUE_THRESHOLDS)}|${countBand(q?.active, PMG_QUEUE_THRESHOLDS)}|${(q?.hold ?? 0) > 0 ? 'hold' : ''}`,
    );
  }
  lines.sort();
  return lines.join('\n');
}
