import { SetMetadata } from '@nestjs/common';

export const POLLER_METADATA = 'adaptive-polling:poller';

export interface PollerOptions {
  /** The target type this method polls (any string: `pve`, `pbs`, `pmg`, `my-api`, ...). */
  type: string;
}

/** Marks a provider method as the poller for one target type. */
export const Poller = (options: PollerOptions): MethodDecorator => SetMetadata(POLLER_METADATA, options);

/** Poller for Proxmox VE targets (type `pve`). */
export const PvePoller = (): MethodDecorator => Poller({ type: 'pve' });
/** Poller for Proxmox Backup Server targets (type `pbs`). */
export const PbsPoller = (): MethodDecorator => Poller({ type: 'pbs' });
/** Poller for Proxmox Mail Gateway targets (type `pmg`). */
export const PmgPoller = (): MethodDecorator => Poller({ type: 'pmg' });
