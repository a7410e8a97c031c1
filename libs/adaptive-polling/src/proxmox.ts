/**
 * `nestjs-adaptive-polling/proxmox`: ready-made pollers for Proxmox VE,
 * Backup Server and Mail Gateway (node:https, token or ticket auth, CA or
 * fingerprint pinning), each with a documented change signal. No peers
 * beyond the root entry's.
 */
export * from './proxmox/index';
