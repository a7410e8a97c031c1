import type { PveClusterStatusEntry, PveResource, PveSnapshot } from '../../../adaptive-polling/src/proxmox/pve';
import type { Random } from '../rng';
import { answerStream, EvolvingState, pick } from './evolving-state';

/**
 * A simulated Proxmox VE cluster: `guests` guests (default 12) on max(2, guests / 50)
 * nodes, a local and an LVM-thin storage per node and one shared Ceph pool, answering
 * `cluster/resources` and `cluster/status` in the API's shape (pve-manager
 * PVE/API2/Cluster.pm: `resources`, `get_status`).
 *
 * Every answer moves the counters and gauges (cpu, mem, uptime, netin/out, diskread/
 * write, storage bytes within their band). At each data change one operator-relevant
 * event happens: a guest stops or starts, migrates, takes or drops a backup lock,
 * changes HA state, a storage crosses a usage threshold, or a node leaves or rejoins.
 */

interface PveGuest {
  vmid: number;
  type: 'qemu' | 'lxc';
  node: number;
  running: boolean;
  lock: string;
  hastate: string;
  maxmem: number;
  maxdisk: number;
  maxcpu: number;
  startedAtS: number;
}

interface PveState {
  nodes: string[];
  online: boolean[];
  guests: PveGuest[];
  /** Usage band per storage id (0: < 80 %, 1: 80-90 %, 2: 90-95 %, 3: >= 95 %). */
  storageBand: Map<string, number>;
  configVersion: number;
}

export const DEFAULT_PVE_GUESTS = 12;
const GIB = 1024 ** 3;
const BAND_SHARES = [
  [0.2, 0.75],
  [0.81, 0.89],
  [0.91, 0.94],
  [0.96, 0.99],
] as const;

function storageIds(nodes: string[]): string[] {
  return [...nodes.flatMap((n) => [`storage/${n}/local`, `storage/${n}/local-lvm`]), ...nodes.map((n) => `storage/${n}/ceph-pool`)];
}

function initialState(guestCount: number, random: Random): PveState {
  const nodeCount = Math.max(2, Math.ceil(guestCount / 50));
  const nodes = Array.from({ length: nodeCount }, (_, i) => `pve${i + 1}`);
  const guests: PveGuest[] = Array.from({ length: guestCount }, (_, i) => ({
    vmid: 100 + i,
    type: i % 4 === 3 ? 'lxc' : 'qemu',
    node: i % nodeCount,
    running: random() < 0.85,
    lock: '',
    hastate: i % 5 === 0 ? 'started' : '',
    maxmem: (1 + Math.floor(random() * 16)) * GIB,
    maxdisk: (8 + Math.floor(random() * 120)) * GIB,
    maxcpu: 1 + Math.floor(random() * 8),
    startedAtS: Math.floor(random() * 86400 * 30),
  }));
  return {
    nodes,
    online: nodes.map(() => true),
    guests,
    storageBand: new Map(storageIds(nodes).map((id) => [id, 0])),
    configVersion: nodeCount + 1,
  };
}

function applyEvent(state: PveState, random: Random): void {
  const kind = random();
  const guest = pick(state.guests, random);
  if (kind < 0.35 || guest === undefined) {
    if (guest) {
      guest.running = !guest.running;
      if (guest.hastate !== '') guest.hastate = guest.running ? 'started' : 'stopped';
    }
  } else if (kind < 0.55) {
    guest.node = (guest.node + 1 + Math.floor(random() * (state.nodes.length - 1))) % state.nodes.length;
  } else if (kind < 0.75) {
    guest.lock = guest.lock === '' ? pick(['backup', 'snapshot', 'migrate'], random) : '';
  } else if (kind < 0.85) {
    guest.hastate = guest.hastate === '' ? 'started' : guest.hastate === 'started' ? 'fence' : '';
  } else if (kind < 0.95) {
    const id = pick([...state.storageBand.keys()], random);
    const band = state.storageBand.get(id) ?? 0;
    state.storageBand.set(id, band >= 3 ? 0 : band + 1);
  } else {
    const node = Math.floor(random() * state.nodes.length);
    state.online[node] = !state.online[node];
    state.configVersion += 1;
  }
}

export class PveBodyModel {
  private readonly states: EvolvingState<PveState>;

  constructor(
    private readonly seed: number,
    private readonly targetName: string,
    guests: number,
  ) {
    this.states = new EvolvingState(
      seed,
      targetName,
      () => initialState(guests, answerStream(seed, targetName, -1)),
      (state, random) => applyEvent(state, random),
    );
  }

  snapshotAt(version: number, atMs: number): PveSnapshot {
    const state = this.states.at(version);
    const random = answerStream(this.seed, this.targetName, atMs);
    const nowS = Math.floor(atMs / 1000);
    const resources: PveResource[] = [];
    for (const g of state.guests) {
      const node = state.nodes[g.node];
      const running = g.running && state.online[g.node] === true;
      const uptime = running ? g.startedAtS + nowS : 0;
      const entry: PveResource = {
        id: `${g.type}/${g.vmid}`,
        type: g.type,
        vmid: g.vmid,
        name: `${g.type === 'qemu' ? 'vm' : 'ct'}-${g.vmid}`,
        node,
        status: running ? 'running' : 'stopped',
        template: 0,
        maxcpu: g.maxcpu,
        maxmem: g.maxmem,
        maxdisk: g.maxdisk,
        cpu: running ? Math.round(random() * 0.4 * 1e6) / 1e6 : 0,
        mem: running ? Math.floor(g.maxmem * (0.2 + 0.6 * random())) : 0,
        disk: 0,
        uptime,
        netin: running ? Math.floor(uptime * (1000 + random() * 50)) : 0,
        netout: running ? Math.floor(uptime * (700 + random() * 50)) : 0,
        diskread: running ? Math.floor(uptime * (4000 + random() * 100)) : 0,
        diskwrite: running ? Math.floor(uptime * (2500 + random() * 100)) : 0,
      };
      if (g.lock !== '') entry.lock = g.lock;
      if (g.hastate !== '') entry.hastate = g.hastate;
      if (g.vmid % 3 === 0) entry.tags = 'prod';
      resources.push(entry);
    }
    state.nodes.forEach((node, i) => {
      const online = state.online[i] === true;
      resources.push({
        id: `node/${node}`,
        type: 'node',
        node,
        status: online ? 'online' : 'offline',
        level: 'c',
        maxcpu: 64,
        maxmem: 512 * GIB,
        maxdisk: 100 * GIB,
        ...(online
          ? {
              cpu: Math.round(random() * 0.6 * 1e6) / 1e6,
              mem: Math.floor(512 * GIB * (0.3 + 0.4 * random())),
              disk: Math.floor(100 * GIB * (0.2 + 0.05 * random())),
              uptime: 86400 * 40 + nowS,
            }
          : {}),
      });
    });
    for (const [id, band] of state.storageBand) {
      const [, node, storage] = id.split('/') as [string, string, string];
      const maxdisk = storage === 'ceph-pool' ? 20_000 * GIB : storage === 'local' ? 100 * GIB : 2_000 * GIB;
      const [low, high] = BAND_SHARES[band] as readonly [number, number];
      resources.push({
        id,
        type: 'storage',
        node,
        storage,
        status: 'available',
        plugintype: storage === 'ceph-pool' ? 'rbd' : storage === 'local' ? 'dir' : 'lvmthin',
        shared: storage === 'ceph-pool' ? 1 : 0,
        content: storage === 'local' ? 'iso,vztmpl,backup' : 'images,rootdir',
        maxdisk,
        disk: Math.floor(maxdisk * (low + (high - low) * random())),
      });
    }
    const clusterStatus: PveClusterStatusEntry[] = [
      {
        type: 'cluster',
        id: 'cluster',
        name: 'sim-cluster',
        nodes: state.nodes.length,
        version: state.configVersion,
        quorate: state.online.filter(Boolean).length * 2 > state.nodes.length ? 1 : 0,
      },
      ...state.nodes.map((name, i) => ({
        type: 'node' as const,
        id: `node/${name}`,
        name,
        nodeid: i + 1,
        ip: `10.0.0.${i + 1}`,
        local: i === 0 ? 1 : 0,
        online: state.online[i] ? 1 : 0,
        level: 'c',
      })),
    ];
    return { resources, clusterStatus };
  }
}
