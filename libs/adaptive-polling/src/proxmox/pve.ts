import type { ProxmoxApi } from './proxmox-api';
import { ProxmoxResponseValidationError } from './proxmox-errors';
import { usageBand } from './usage-band';

/**
 * Proxmox VE: what the ready-made poller reads, and its change signal.
 *
 * Endpoints (two GETs per poll, whatever the cluster size):
 * - `cluster/resources`: every guest (qemu, lxc), node, storage, pool and SDN zone of the
 *   cluster with its status, in one answer; the web UI's tree is built from it. Shape:
 *   pve-manager PVE/API2/Cluster.pm (`resources`), fields as PVE::API2Tools
 *   extract_vm_stats / extract_node_stats / extract_storage_stats fill them.
 * - `cluster/status`: quorum, corosync config version and node membership (online),
 *   pve-manager PVE/API2/Cluster.pm (`get_status`). Chosen over `nodes/<node>/status`,
 *   whose answer is gauges of one node (cpu, memory, loadavg, uptime) that the signal
 *   would drop anyway, and which costs one request per node.
 */

/** One `cluster/resources` entry; the counters/gauges are listed so the signal can leave them out on purpose. */
export interface PveResource {
  id: string;
  /** `qemu`, `lxc`, `node`, `storage`, `pool` or `sdn` in the sources; kept open for other values. */
  type: string;
  node?: string;
  status?: string;
  name?: string;
  vmid?: number;
  template?: number;
  hastate?: string;
  lock?: string;
  tags?: string;
  pool?: string;
  storage?: string;
  level?: string;
  plugintype?: string;
  shared?: number;
  content?: string;
  maxcpu?: number;
  maxmem?: number;
  maxdisk?: number;
  // counters and gauges: not in the signal
  cpu?: number;
  mem?: number;
  disk?: number;
  uptime?: number;
  netin?: number;
  netout?: number;
  diskread?: number;
  diskwrite?: number;
}

export interface PveClusterStatusEntry {
  type: 'cluster' | 'node';
  id: string;
  name: string;
  nodes?: number;
  version?: number;
  quorate?: number;
  nodeid?: number;
  ip?: string;
  local?: number;
  online?: number;
  level?: string;
}

export interface PveSnapshot {
  resources: PveResource[];
  clusterStatus: PveClusterStatusEntry[];
}

/** One path at a time: a target that refuses us (401, down) costs one request per poll, not two. */
export async function fetchPveSnapshot(api: ProxmoxApi): Promise<PveSnapshot> {
  const resources = await api.get<PveResource[]>('cluster/resources');
  const clusterStatus = await api.get<PveClusterStatusEntry[]>('cluster/status');
  if (!Array.isArray(resources) || !Array.isArray(clusterStatus)) {
    throw new ProxmoxResponseValidationError('pve: cluster/resources and cluster/status must answer arrays');
  }
  return { resources, clusterStatus };
}

/**
 * The PVE change signal: one line per resource of what an operator acts on, sorted
 * (pveproxy lists guests in hash order, which may differ between answers):
 * - guest: id, node (a migration), status, lock (backup, migrate, snapshot), HA state,
 *   template flag, name, tags, pool and the configured sizes (maxcpu, maxmem, maxdisk:
 *   the parts of the guest config visible here; a per-guest config digest would cost
 *   one request per guest);
 * - node: status (online/offline) and subscription level;
 * - storage: status and usage band (80/90/95 %);
 * - cluster: name, quorate, node count, corosync config version; node membership/online.
 * Dropped: cpu, mem, disk, uptime, netin/netout, diskread/diskwrite.
 */
export function pveChangeSignal(snapshot: PveSnapshot): string {
  const lines: string[] = [];
  for (const r of snapshot.resources) {
    switch (r.type) {
      case 'qemu':
      case 'lxc':
        lines.push(
          `${r.id}|${r.node ?? ''}|${r.status ?? ''}|${r.lock ?? ''}|${r.hastate ?? ''}|${r.template ?? 0}|${r.name ?? ''}|${r.tags ?? ''}|${r.pool ?? ''}|${r.maxcpu ?? ''}|${r.maxmem ?? ''}|${r.maxdisk ?? ''}`,
        );
        break;
      case 'node':
        lines.push(`${r.id}|${r.status ?? ''}|${r.level ?? ''}`);
        break;
      case 'storage':
        lines.push(`${r.id}|${r.status ?? ''}|${usageBand(r.disk, r.maxdisk)}`);
        break;
      default:
        lines.push(`${r.id}|${r.status ?? ''}`);
    }
  }
  for (const s of snapshot.clusterStatus) {
    lines.push(
      s.type === 'cluster'
        ? `~cluster|${s.name}|${s.quorate ?? ''}|${s.nodes ?? ''}|${s.version ?? ''}`
        : `~member|${s.name}|${s.online ?? ''}|${s.nodeid ?? ''}`,
    );
  }
  lines.sort();
  return lines.join('\n');
}
