import type { PbsDatastoreUsage, PbsSnapshot, PbsTask } from '../../../adaptive-polling/src/proxmox/pbs';
import type { Random } from '../rng';
import { answerStream, EvolvingState, pick } from './evolving-state';

/**
 * A simulated Proxmox Backup Server: `guests` datastores (default 3) answering
 * `status/datastore-usage`, and `nodes/localhost/tasks` with the 50 newest tasks
 * (proxmox-backup pbs-api-types: DataStoreStatusListItem, TaskListItem; UPIDs as
 * `UPID:<node>:<pid>:<pstart>:<task id>:<starttime>:<type>:<id>:<user>:`).
 *
 * Every answer moves used/avail bytes (within the usage band) and the task list: a task
 * starts every 90 s; every 7th is a datastore's GC, every 11th a `reader` (a restore), the
 * others back up the 20 guests in turn, each with its current outcome. The 50 newest tasks
 * then always hold every guest's backup and (with at most 6 datastores) every store's GC,
 * as a nightly job's tasks would for a poller that reads them between runs. At each data change one event: a guest's backups
 * start failing or recover, a datastore is added or removed, one crosses a usage
 * threshold, or its GC starts failing or recovers.
 */

interface PbsStore {
  name: string;
  band: number;
  gcFails: boolean;
  total: number;
}

interface PbsState {
  stores: PbsStore[];
  nextStore: number;
  /** Backup outcome per guest (vm/100 ..): true = failing. */
  backupFails: boolean[];
}

export const DEFAULT_PBS_DATASTORES = 3;
const BACKUP_GUESTS = 20;
const MAX_DATASTORES = 6;
const TASK_LIST_LENGTH = 50;
const TASK_EVERY_S = 90;
const TIB = 1024 ** 4;
const BAND_SHARES = [
  [0.2, 0.75],
  [0.81, 0.89],
  [0.91, 0.94],
  [0.96, 0.99],
] as const;

function store(index: number, random: Random): PbsStore {
  return { name: `store${index + 1}`, band: 0, gcFails: false, total: (4 + Math.floor(random() * 60)) * TIB };
}

function applyEvent(state: PbsState, random: Random): void {
  const kind = random();
  if (kind < 0.5) {
    const k = Math.floor(random() * BACKUP_GUESTS);
    state.backupFails[k] = !state.backupFails[k];
  } else if (kind < 0.65 || state.stores.length === 0) {
    // A datastore appears, or (if there are several) one is removed.
    const remove = state.stores.length >= MAX_DATASTORES || random() < 0.5;
    if (state.stores.length > 1 && remove) state.stores.splice(Math.floor(random() * state.stores.length), 1);
    else state.stores.push(store(state.nextStore++, random));
  } else if (kind < 0.85) {
    const s = pick(state.stores, random);
    s.band = s.band >= 3 ? 0 : s.band + 1;
  } else {
    const s = pick(state.stores, random);
    s.gcFails = !s.gcFails;
  }
}

function hex(n: number, width: number): string {
  return n.toString(16).toUpperCase().padStart(width, '0');
}

function upid(node: string, pid: number, startS: number, type: string, id: string): string {
  return `UPID:${node}:${hex(pid, 8)}:${hex(pid * 7, 8)}:${hex(startS & 0xffff, 8)}:${hex(startS, 8)}:${type}:${id.replace(/\//g, '\\x2f')}:root@pam:`;
}

export class PbsBodyModel {
  private readonly states: EvolvingState<PbsState>;

  constructor(
    private readonly seed: number,
    private readonly targetName: string,
    datastores: number,
  ) {
    this.states = new EvolvingState(
      seed,
      targetName,
      () => {
        const random = answerStream(seed, targetName, -1);
        const stores = Array.from({ length: datastores }, (_, i) => store(i, random));
        return { stores, nextStore: datastores, backupFails: Array.from({ length: BACKUP_GUESTS }, () => false) };
      },
      (state, random) => applyEvent(state, random),
    );
  }

  snapshotAt(version: number, atMs: number): PbsSnapshot {
    const state = this.states.at(version);
    const random = answerStream(this.seed, this.targetName, atMs);
    const nowS = 1_767_225_600 + Math.floor(atMs / 1000);
    const datastores: PbsDatastoreUsage[] = state.stores.map((s) => {
      const [low, high] = BAND_SHARES[s.band] as readonly [number, number];
      const used = Math.floor(s.total * (low + (high - low) * random()));
      return {
        store: s.name,
        total: s.total,
        used,
        avail: s.total - used,
        history: Array.from({ length: 8 }, () => Math.round(random() * 1000) / 1000),
        'history-start': nowS - 30 * 86400,
        'history-delta': 86400 * 4,
        'estimated-full-date': nowS + Math.floor(random() * 86400 * 365),
      };
    });
    const tasks: PbsTask[] = [];
    const slot = Math.floor(nowS / TASK_EVERY_S);
    for (let k = 0; k < TASK_LIST_LENGTH; k++) {
      const n = slot - k;
      const starttime = n * TASK_EVERY_S + 5;
      const pid = 10_000 + (n % 50_000);
      let type: string;
      let id: string;
      let status: string | undefined;
      if (n % 7 === 0 && state.stores.length > 0) {
        const s = state.stores[((n / 7) % state.stores.length) | 0];
        type = 'garbage_collection';
        id = s.name;
        status = s.gcFails ? 'TASK ERROR: unable to acquire lock on datastore directory' : 'OK';
      } else if (n % 11 === 0) {
        type = 'reader';
        id = `${state.stores[0]?.name ?? 'store1'}_vm_${100 + (n % BACKUP_GUESTS)}`;
        status = 'OK';
      } else {
        // The backup slots before n, so consecutive backups take the guests in turn.
        const backupSlot = n - Math.floor(n / 7) - Math.floor(n / 11) + Math.floor(n / 77);
        const guest = backupSlot % BACKUP_GUESTS;
        type = 'backup';
        id = `${state.stores[0]?.name ?? 'store1'}:vm/${100 + guest}`;
        status = state.backupFails[guest] ? 'TASK ERROR: backup write data failed: broken pipe' : n % 13 === 0 ? 'WARNINGS: 1' : 'OK';
        if (status.startsWith('WARNINGS') && !state.backupFails[guest]) status = 'OK';
      }
      const running = k === 0 && starttime + 60 > nowS;
      tasks.push({
        upid: upid('localhost', pid, starttime, type, id),
        node: 'localhost',
        pid,
        pstart: pid * 7,
        starttime,
        ...(running ? {} : { endtime: starttime + 20 + Math.floor(random() * 40), status }),
        worker_type: type,
        worker_id: id,
        user: 'root@pam',
      });
    }
    return { datastores, tasks };
  }
}
