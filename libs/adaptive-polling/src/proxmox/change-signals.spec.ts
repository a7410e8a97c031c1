import { describe, expect, it } from 'vitest';
import { pbsChangeSignal, type PbsSnapshot } from './pbs';
import { pmgChangeSignal, type PmgSnapshot } from './pmg';
import { pveChangeSignal, type PveSnapshot } from './pve';

/**
 * Each ready-made change signal: the same when only counters and gauges moved, a new
 * one when something an operator acts on changed. Fixtures in the APIs' shapes
 * (pve-manager PVE/API2/Cluster.pm; pbs-api-types; the Pulse seed's pkg/pmg/client.go).
 */

const clone = <T>(value: T): T => structuredClone(value);

function pve(): PveSnapshot {
  return {
    resources: [
      {
        id: 'qemu/100',
        type: 'qemu',
        vmid: 100,
        name: 'web',
        node: 'pve1',
        status: 'running',
        template: 0,
        hastate: 'started',
        maxcpu: 4,
        maxmem: 8 * 2 ** 30,
        maxdisk: 32 * 2 ** 30,
        cpu: 0.12,
        mem: 3 * 2 ** 30,
        disk: 0,
        uptime: 86_400,
        netin: 1_000_000,
        netout: 700_000,
        diskread: 5_000_000,
        diskwrite: 2_000_000,
      },
      {
        id: 'lxc/101',
        type: 'lxc',
        vmid: 101,
        name: 'dns',
        node: 'pve2',
        status: 'running',
        template: 0,
        maxcpu: 1,
        maxmem: 2 ** 30,
        maxdisk: 8 * 2 ** 30,
        cpu: 0.01,
        mem: 2 ** 28,
        disk: 2 ** 30,
        uptime: 9_000,
        netin: 5_000,
        netout: 4_000,
        diskread: 1_000,
        diskwrite: 2_000,
      },
      {
        id: 'node/pve1',
        type: 'node',
        node: 'pve1',
        status: 'online',
        level: 'c',
        cpu: 0.2,
        maxcpu: 32,
        mem: 2 ** 36,
        maxmem: 2 ** 37,
        uptime: 1_000_000,
      },
      {
        id: 'node/pve2',
        type: 'node',
        node: 'pve2',
        status: 'online',
        level: 'c',
        cpu: 0.1,
        maxcpu: 32,
        mem: 2 ** 35,
        maxmem: 2 ** 37,
        uptime: 1_000_000,
      },
      { id: 'storage/pve1/local-lvm', type: 'storage', node: 'pve1', storage: 'local-lvm', status: 'available', disk: 400, maxdisk: 1000 },
    ],
    clusterStatus: [
      { type: 'cluster', id: 'cluster', name: 'prod', nodes: 2, version: 4, quorate: 1 },
      { type: 'node', id: 'node/pve1', name: 'pve1', nodeid: 1, online: 1, local: 1, ip: '10.0.0.1' },
      { type: 'node', id: 'node/pve2', name: 'pve2', nodeid: 2, online: 1, local: 0, ip: '10.0.0.2' },
    ],
  };
}

describe('pveChangeSignal', () => {
  const base = pveChangeSignal(pve());

  it('ignores uptime, cpu, mem, disk, net and disk I/O, storage bytes within a band, and resource order', () => {
    const moved = pve();
    for (const r of moved.resources) {
      if (r.uptime !== undefined) r.uptime += 10;
      if (r.cpu !== undefined) r.cpu = 0.99;
      if (r.mem !== undefined) r.mem += 12_345;
      if (r.netin !== undefined) r.netin += 1;
      if (r.netout !== undefined) r.netout += 1;
      if (r.diskread !== undefined) r.diskread += 1;
      if (r.diskwrite !== undefined) r.diskwrite += 1;
      if (r.type === 'storage') r.disk = 700;
    }
    moved.resources.reverse();
    expect(pveChangeSignal(moved)).toBe(base);
  });

  it.each<[string, (s: PveSnapshot) => void]>([
    ['a guest stopped', (s) => (s.resources[0].status = 'stopped')],
    ['a guest moved to another node', (s) => (s.resources[1].node = 'pve1')],
    ['a guest took a backup lock', (s) => (s.resources[0].lock = 'backup')],
    ['a guest HA state changed', (s) => (s.resources[0].hastate = 'fence')],
    ['a guest was resized', (s) => (s.resources[0].maxmem = 16 * 2 ** 30)],
    ['a guest appeared', (s) => s.resources.push({ id: 'qemu/102', type: 'qemu', node: 'pve1', status: 'stopped' })],
    [
      'a guest was renumbered',
      (s) => {
        s.resources[0].vmid = 110;
        s.resources[0].id = 'qemu/110';
      },
    ],
    [
      'a container and a VM traded places (same vmids, other types)',
      (s) => {
        s.resources[0].type = 'lxc';
        s.resources[0].id = 'lxc/100';
        s.resources[1].type = 'qemu';
        s.resources[1].id = 'qemu/101';
      },
    ],
    ['a node went offline', (s) => (s.resources[3].status = 'offline')],
    [
      'a node left the cluster',
      (s) => {
        s.clusterStatus.pop();
        s.clusterStatus[0].nodes = 1;
      },
    ],
    ['quorum was lost', (s) => (s.clusterStatus[0].quorate = 0)],
    ['a storage crossed 80 %', (s) => (s.resources[4].disk = 810)],
  ])('changes when %s', (_what, mutate) => {
    const changed = clone(pve());
    mutate(changed);
    expect(pveChangeSignal(changed)).not.toBe(base);
  });

  it('tells a guest without a vmid by its id', () => {
    const without = pve();
    delete without.resources[0].vmid;
    const renamed = clone(without);
    renamed.resources[0].id = 'qemu/999';
    expect(pveChangeSignal(renamed)).not.toBe(pveChangeSignal(without));
  });
});

function pbs(): PbsSnapshot {
  const task = (n: number, type: string, id: string, status?: string) => ({
    upid: `UPID:pbs:0000${n}:00001234:00000000:6770${n}:${type}:${id}:root@pam:`,
    node: 'pbs',
    starttime: 1_767_000_000 + n,
    ...(status === undefined ? {} : { endtime: 1_767_000_030 + n, status }),
    worker_type: type,
    worker_id: id,
    user: 'root@pam',
  });
  return {
    datastores: [
      { store: 'main', total: 1000, used: 500, avail: 500, history: [0.4, 0.5], 'estimated-full-date': 1_800_000_000 },
      { store: 'offsite', total: 2000, used: 100, avail: 1900 },
    ],
    tasks: [
      task(9, 'backup', 'main:vm/100'),
      task(8, 'backup', 'main:vm/100', 'OK'),
      task(7, 'backup', 'main:vm/101', 'OK'),
      task(6, 'garbage_collection', 'main', 'OK'),
      task(5, 'backup', 'main:vm/100', 'OK'),
    ],
  };
}

describe('pbsChangeSignal', () => {
  const base = pbsChangeSignal(pbs());

  it('ignores used/avail bytes, history, estimates, a running task and one more successful run', () => {
    const moved = pbs();
    moved.datastores[0].used = 600;
    moved.datastores[0].avail = 400;
    moved.datastores[0].history = [0.6];
    moved.datastores[0]['estimated-full-date'] = 1_900_000_000;
    moved.tasks.unshift({ ...moved.tasks[1], upid: 'UPID:new', starttime: 1_767_000_100, status: 'OK' });
    moved.tasks.unshift({ ...moved.tasks[1], upid: 'UPID:running', starttime: 1_767_000_200, status: undefined });
    expect(pbsChangeSignal(moved)).toBe(base);
  });

  it('ignores the task window sliding: a successful task of another id comes in, the oldest successful one ages out', () => {
    const slid = pbs();
    // The newest-50 window moved on: vm/101's only run dropped out, a file restore came in.
    slid.tasks = slid.tasks.filter((t) => t.worker_id !== 'main:vm/101');
    slid.tasks.unshift({
      ...slid.tasks[1],
      upid: 'UPID:reader',
      worker_type: 'reader',
      worker_id: 'main_vm_102',
      starttime: 1_767_000_100,
    });
    expect(pbsChangeSignal(slid)).toBe(base);
  });

  it('changes when a failing backup succeeds again', () => {
    const failing = pbs();
    failing.tasks.unshift({ ...failing.tasks[1], upid: 'UPID:fail', starttime: 1_767_000_300, status: 'TASK ERROR: broken pipe' });
    const recovered = clone(failing);
    recovered.tasks.unshift({ ...recovered.tasks[1], upid: 'UPID:ok', starttime: 1_767_000_400, status: 'OK' });
    expect(pbsChangeSignal(failing)).not.toBe(base);
    expect(pbsChangeSignal(recovered)).toBe(base);
  });

  it.each<[string, (s: PbsSnapshot) => void]>([
    ['a datastore appeared', (s) => s.datastores.push({ store: 'archive', total: 10, used: 1, avail: 9 })],
    ['a datastore disappeared', (s) => s.datastores.pop()],
    ['a datastore crossed 90 %', (s) => (s.datastores[0].used = 920)],
    ['a datastore reports an error', (s) => (s.datastores[1].error = 'datastore not mounted')],
    [
      'a backup task failed',
      (s) =>
        s.tasks.unshift({ ...s.tasks[1], upid: 'UPID:fail', starttime: 1_767_000_300, status: 'TASK ERROR: backup write data failed' }),
    ],
    [
      'a backup ended with warnings',
      (s) => s.tasks.unshift({ ...s.tasks[2], upid: 'UPID:warn', starttime: 1_767_000_300, status: 'WARNINGS: 2' }),
    ],
  ])('changes when %s', (_what, mutate) => {
    const changed = clone(pbs());
    mutate(changed);
    expect(pbsChangeSignal(changed)).not.toBe(base);
  });
});

function pmg(): PmgSnapshot {
  return {
    cluster: [
      { cid: 1, name: 'pmg1', type: 'master', ip: '10.0.1.1' },
      { cid: 2, name: 'pmg2', type: 'node', ip: '10.0.1.2' },
    ],
    queues: {
      pmg1: { active: 3, deferred: 12, hold: 0, incoming: 1 },
      pmg2: { active: 0, deferred: 4, hold: 0, incoming: 0 },
    },
    statistics: {
      count: 1200,
      count_in: 800,
      count_out: 400,
      spamcount_in: 200,
      viruscount_in: 1,
      bounces_in: 3,
      bytes_in: 4e7,
      avptime: 1.2,
    },
  };
}

describe('pmgChangeSignal', () => {
  const base = pmgChangeSignal(pmg());

  it('ignores every mail count and the queue sizes within their band', () => {
    const moved = pmg();
    moved.statistics = { ...moved.statistics, count: 5000, count_in: 4000, spamcount_in: 900, bytes_in: 9e8, avptime: 0.4 };
    moved.queues.pmg1 = { active: 40, deferred: 77, hold: 0, incoming: 9, oldest_age: 300 };
    expect(pmgChangeSignal(moved)).toBe(base);
  });

  it.each<[string, (s: PmgSnapshot) => void]>([
    [
      'a node left',
      (s) => {
        s.cluster.pop();
        delete s.queues.pmg2;
      },
    ],
    [
      'the master moved',
      (s) => {
        s.cluster[0].type = 'node';
        s.cluster[1].type = 'master';
      },
    ],
    ['the deferred queue passed 100', (s) => (s.queues.pmg1.deferred = 150)],
    ['mail was put on hold', (s) => (s.queues.pmg2.hold = 3)],
  ])('changes when %s', (_what, mutate) => {
    const changed = clone(pmg());
    mutate(changed);
    expect(pmgChangeSignal(changed)).not.toBe(base);
  });
});
