/**
 * nestjs-adaptive-polling/proxmox: ready-made pollers for Proxmox VE, Backup Server and
 * Mail Gateway, over Node's own node:https (no extra dependency), with per-target TLS
 * trust (fingerprint pin, CA, or insecure on purpose) and a change signal each.
 */
export {
  AdaptivePollingProxmoxModule,
  type AdaptivePollingProxmoxOptions,
  type AdaptivePollingProxmoxAsyncOptions,
} from './proxmox-pollers.module';
export {
  PveClusterPoller,
  PbsServerPoller,
  PmgGatewayPoller,
  PROXMOX_POLLER_OPTIONS,
  proxmoxApiFor,
  type ProxmoxPollerOptions,
} from './pollers';
export { fetchPveSnapshot, pveChangeSignal, type PveSnapshot, type PveResource, type PveClusterStatusEntry } from './pve';
export {
  fetchPbsSnapshot,
  pbsChangeSignal,
  taskOutcome,
  PBS_TASK_LIMIT,
  type PbsSnapshot,
  type PbsDatastoreUsage,
  type PbsTask,
} from './pbs';
export {
  fetchPmgSnapshot,
  pmgChangeSignal,
  PMG_QUEUE_THRESHOLDS,
  type PmgSnapshot,
  type PmgClusterMember,
  type PmgQueueStatus,
  type PmgMailStatistics,
} from './pmg';
export { USAGE_THRESHOLDS, usageBand } from './usage-band';
export { proxmoxConnection, tokenAuthorization, type ProxmoxConnection, type ProxmoxProduct, type ProxmoxAuth } from './connection';
export { ProxmoxApi } from './proxmox-api';
export { PmgTicketStore, PMG_TICKET_LIFETIME_MS, PMG_TICKET_RENEW_AFTER_MS, type PmgTicket } from './pmg-tickets';
export { normalizeFingerprint, type ProxmoxTlsOptions } from './tls-options';
export { FingerprintMismatchError } from './https-request';
export { ProxmoxHttpError, ProxmoxConnectionValidationError, ProxmoxResponseValidationError, ProxmoxRequestError } from './proxmox-errors';
