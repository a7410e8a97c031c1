import type { ProxmoxApi } from './proxmox-api';
import { ProxmoxResponseValidationError } from './proxmox-errors';
import { UnorderedDigest } from './unordered-digest';
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
 * The PVE change signal: of each resource, what an operator acts on, as an unordered
 * digest (pveproxy lists guests in hash order, which may differ between answers; and a
 * 1,000-guest cluster as sorted text lines would cost about 1 ms of CPU per poll):
 * - guest: id, node (a migration), status, lock (backup, migrate, snapshot), HA state,
 *   template flag, name, tags, pool and the configured sizes (maxcpu, maxmem, maxdisk:
 *   the parts of the guest config visible here; a per-guest config digest would cost
 *   one request per guest);
 * - node: status (online/offline) and subscription level;
 * - storage: status and usage band (80/90/95 %);
 * - cluster: name, quorate, node count, corosync config version; node membership/online.
 * Dropped: cpu, mem, disk, uptime, netin/netout, diskread/diskwrite.
 */
/** Type codes of guests in the digest: not a text length, which starts every text field. */
const GUEST_QEMU = 0xfffffff0;
const GUEST_LXC = 0xfffffff1;

export function pveChangeSignal(snapshot: PveSnapshot): string {
  const digest = new UnorderedDigest();
  for (const r of snapshot.resources) {
    digest.record();
    switch (r.type) {
      case 'qemu':
      case 'lxc':
        // A guest's id is `<type>/<vmid>` (PVE::API2Tools extract_vm_stats): its type as a
        // code and its vmid as a number say the same as the text, at a fraction of its cost.
        digest
          .number(r.type === 'qemu' ? GUEST_QEMU : GUEST_LXC)
          .number(r.vmid)
          .text(r.vmid === undefined ? r.id : undefined)
          .text(r.node)
          .text(r.status)
          .text(r.lock)
          .text(r.hastate)
          .number(r.template ?? 0)
          .text(r.name)
          .text(r.tags)
          .text(r.pool)
          .number(r.maxcpu)
          .number(r.maxmem)
          .number(r.maxdisk);
        break;
      case 'node':
        digest.text(r.type).text(r.id).text(r.status).text(r.level);
        break;
      case 'storage':
        digest.text(r.type).text(r.id).text(r.status).text(usageBand(r.disk, r.maxdisk));
        break;
      default:
        digest.text(r.type).text(r.id).text(r.status);
    }
    digest.end();
  }
  for (const s of snapshot.clusterStatus) {
    digest.record().text(`~${s.type}`).text(s.name);
    if (s.type === 'cluster') digest.number(s.quorate).number(s.nodes).number(s.version);
    else digest.number(s.online).number(s.nodeid);
    digest.end();
  }
  return `pve ${digest.digest()}`;
}
