import type { ProxmoxApi } from './proxmox-api';
import { ProxmoxResponseValidationError } from './proxmox-errors';
import { usageBand } from './usage-band';

/**
 * Proxmox Backup Server: what the ready-made poller reads, and its change signal.
 *
 * Endpoints (two GETs per poll):
 * - `status/datastore-usage`: every datastore with total/used/avail and its error, in one
 *   answer (proxmox-backup pbs-api-types `DataStoreStatusListItem`; the dashboard reads it).
 *   Chosen over `admin/datastore`, which lists the configured stores but no usage.
 * - `nodes/localhost/tasks?limit=<n>`: recent tasks with their outcome (pbs-api-types
 *   `TaskListItem`: upid, worker_type, worker_id, starttime, endtime, status), newest
 *   first; `localhost` is PBS's own name for the node answering.
 */

export interface PbsDatastoreUsage {
  store: string;
  total?: number;
  used?: number;
  avail?: number;
  error?: string;
  'mount-status'?: string;
  // gauges and history: not in the signal
  history?: Array<number | null>;
  'history-start'?: number;
  'history-delta'?: number;
  'estimated-full-date'?: number;
  'gc-status'?: unknown;
}

export interface PbsTask {
  upid: string;
  node: string;
  pid?: number;
  pstart?: number;
  starttime: number;
  endtime?: number;
  worker_type: string;
  worker_id?: string | null;
  user: string;
  /** `OK`, `WARNINGS: n`, an error text, or absent while running. */
  status?: string;
}

export interface PbsSnapshot {
  datastores: PbsDatastoreUsage[];
  tasks: PbsTask[];
}

/** How many recent tasks a poll reads. */
export const PBS_TASK_LIMIT = 50;

/** One path at a time: a target that refuses us costs one request per poll. */
export async function fetchPbsSnapshot(api: ProxmoxApi): Promise<PbsSnapshot> {
  const datastores = await api.get<PbsDatastoreUsage[]>('status/datastore-usage');
  const tasks = await api.get<PbsTask[]>(`nodes/localhost/tasks?limit=${PBS_TASK_LIMIT}`);
  if (!Array.isArray(datastores) || !Array.isArray(tasks)) {
    throw new ProxmoxResponseValidationError('pbs: status/datastore-usage and nodes/localhost/tasks must answer arrays');
  }
  return { datastores, tasks };
}

/** `OK`, `WARNINGS: 3` -> `warnings`, anything else that ended -> `error`. */
export function taskOutcome(status: string | undefined): 'ok' | 'warnings' | 'error' | 'running' {
  if (status === undefined || status === '') return 'running';
  if (status === 'OK') return 'ok';
  if (status.startsWith('WARNINGS')) return 'warnings';
  return 'error';
}

/**
 * The PBS change signal, sorted lines:
 * - datastore: name, error, mount status, usage band (80/90/95 %): a datastore that
 *   appears, disappears, fails or fills up;
 * - task: the worker types and ids (`backup` of `vm/100`, `garbage_collection` of a
 *   store, `verificationjob`, ...) whose latest finished run ended with warnings or an
 *   error: a backup that fails after succeeding is a change, and so is one that succeeds
 *   again; one more successful run is not. Only the failing ones are listed because the
 *   task list is a window of the newest tasks that slides on every answer: a successful
 *   task of one more id coming in (a file restore) or an old one aging out is no change.
 * Dropped: used/avail bytes, history, estimated-full-date, GC statistics, running tasks.
 */
export function pbsChangeSignal(snapshot: PbsSnapshot): string {
  const lines: string[] = [];
  for (const d of snapshot.datastores) {
    lines.push(`store|${d.store}|${d.error ?? ''}|${d['mount-status'] ?? ''}|${usageBand(d.used, d.total)}`);
  }
  const latest = new Map<string, PbsTask>();
  for (const t of snapshot.tasks) {
    if (taskOutcome(t.status) === 'running') continue;
    const key = `${t.worker_type}|${t.worker_id ?? ''}`;
    const seen = latest.get(key);
    if (seen === undefined || t.starttime > seen.starttime) latest.set(key, t);
  }
  for (const [key, t] of latest) {
    const outcome = taskOutcome(t.status);
    if (outcome !== 'ok') lines.push(`task|${key}|${outcome}`);
  }
  lines.sort();
  return lines.join('\n');
}
